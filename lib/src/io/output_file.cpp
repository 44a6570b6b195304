// glassbox/io/output_file.cpp — files written atomically (POSIX: open with O_EXCL, rename).
#include "glassbox/io/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <random>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"

namespace glassbox {

namespace {

// "<name>.<pid>.<16 hex digits>.partial" in the folder of `path`.
std::filesystem::path unique_partial(const std::filesystem::path& path) {
  std::random_device device;
  const std::uint64_t random = (std::uint64_t{device()} << 32) ^ device();
  auto partial = path;
  partial += fmt::format(".{}.{:016x}.partial", ::getpid(), random);
  return partial;
}

}  // namespace

OutputFile::OutputFile(std::filesystem::path path, std::string writer)
    : path_(std::move(path)), writer_(std::move(writer)) {
  namespace fs = std::filesystem;
  const std::string shown = path_.string();
  std::error_code ec;
  const fs::file_status target = fs::status(path_, ec);  // follows links
  if (fs::is_symlink(fs::symlink_status(path_, ec))) {
    const fs::path to = fs::read_symlink(path_, ec);
    if (!fs::is_character_file(target) && !fs::is_fifo(target))
      throw OutputError(fmt::format("{}: {}: is a symbolic link (to {}); give the path of the file itself (the "
                                    "file is replaced by renaming over it, which would replace the link)",
                                    writer_, shown, to.string()));
  }
  if (fs::is_directory(target)) throw OutputError(fmt::format("{}: {}: is a folder, not a file", writer_, shown));
  if (fs::is_character_file(target) || fs::is_fifo(target)) {
    direct_ = true;
    written_ = path_;
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || !(out_ = std::unique_ptr<std::FILE, CloseFile>(::fdopen(fd, "wb")))) {
      const int error = errno;
      if (fd >= 0) ::close(fd);
      throw OutputError(
          fmt::format("{}: cannot write {}: {}", writer_, shown, std::generic_category().message(error)));
    }
    return;
  }
  if (fs::exists(target) && !fs::is_regular_file(target))
    throw OutputError(fmt::format("{}: {}: is {}; it goes to a file, a character device (/dev/null) or a FIFO",
                                  writer_, shown, fs::is_block_file(target) ? "a block device" : "not a regular file"));

  // The missing folders are made now, and remembered so that abandon() removes them again.
  for (fs::path folder = path_.parent_path();
       !folder.empty() && fs::symlink_status(folder, ec).type() == fs::file_type::not_found;
       folder = folder.parent_path()) {
    created_folders_.push_back(folder);
    if (folder == folder.parent_path()) break;
  }
  if (!created_folders_.empty()) {
    fs::create_directories(path_.parent_path(), ec);
    if (ec) {
      const std::string reason = ec.message();
      abandon();
      throw OutputError(
          fmt::format("{}: cannot create the folder {}: {}", writer_, path_.parent_path().string(), reason));
    }
  }
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    written_ = unique_partial(path_);
    fd = ::open(written_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt == 100)) {
      const int error = errno;
      written_.clear();  // nothing of ours to remove
      abandon();
      throw OutputError(
          fmt::format("{}: cannot write {}: {}", writer_, shown, std::generic_category().message(error)));
    }
  }
  out_.reset(::fdopen(fd, "wb"));
  if (!out_) {
    const int error = errno;
    ::close(fd);
    abandon();
    throw OutputError(fmt::format("{}: cannot write {}: {}", writer_, shown, std::generic_category().message(error)));
  }
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)), writer_(std::move(other.writer_)), written_(std::move(other.written_)),
      direct_(other.direct_), created_folders_(std::move(other.created_folders_)), out_(std::move(other.out_)) {
  other.written_.clear();
  other.created_folders_.clear();
}

OutputFile& OutputFile::operator=(OutputFile&& other) noexcept {
  if (this != &other) {
    abandon();
    path_ = std::move(other.path_);
    writer_ = std::move(other.writer_);
    written_ = std::move(other.written_);
    direct_ = other.direct_;
    created_folders_ = std::move(other.created_folders_);
    out_ = std::move(other.out_);
    other.written_.clear();
    other.created_folders_.clear();
  }
  return *this;
}

void OutputFile::commit() { commit_as(path_); }

void OutputFile::commit_as(const std::filesystem::path& target) {
  if (!out_) return;
  if (std::fflush(out_.get()) != 0 || std::fclose(out_.release()) != 0) {
    const int error = errno;
    abandon();
    throw OutputError(
        fmt::format("{}: writing {} failed: {}", writer_, path_.string(), std::generic_category().message(error)));
  }
  if (!direct_) {
    std::error_code ec;
    std::filesystem::rename(written_, target, ec);
    if (ec) {
      const std::string reason = ec.message();
      const std::string from = written_.string();
      abandon();
      throw OutputError(fmt::format("{}: cannot rename {} to {}: {}", writer_, from, target.string(), reason));
    }
  }
  written_.clear();  // nothing left to remove
  created_folders_.clear();
}

void OutputFile::abandon() noexcept {
  out_.reset();
  std::error_code ec;
  if (!direct_ && !written_.empty()) std::filesystem::remove(written_, ec);
  written_.clear();
  for (const auto& folder : created_folders_) std::filesystem::remove(folder, ec);
  created_folders_.clear();
}

}  // namespace glassbox
