// glassbox/io/trace.cpp — the streaming, atomic trace writer (POSIX: open with O_EXCL, rename).
#include "glassbox/io/trace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <limits>
#include <random>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace glassbox {

std::string_view to_string(TraceLevel level) {
  switch (level) {
    case TraceLevel::off: return "off";
    case TraceLevel::summary: return "summary";
    case TraceLevel::step: return "step";
    case TraceLevel::full: return "full";
  }
  return "?";
}

std::optional<TraceLevel> parse_trace_level(std::string_view text) {
  for (TraceLevel level : {TraceLevel::off, TraceLevel::summary, TraceLevel::step, TraceLevel::full})
    if (text == to_string(level)) return level;
  return std::nullopt;
}

Tracer::Tracer(std::filesystem::path path, TraceLevel level, const TraceHeader& header)
    : level_(level), path_(std::move(path)) {
  if (level_ == TraceLevel::off) return;
  if (path_.empty()) throw OutputError("trace: no path given");
  Json head;
  head["schema"] = "glassbox-trace";
  head["version"] = 1;
  head["program"] = header.program;
  head["chapter"] = header.chapter;
  head["seed"] = header.seed;
  head["trace_level"] = std::string(to_string(level_));
  head["hyperparameters"] = header.hyperparameters;
  if (!header.network.empty()) head["network"] = header.network;
  // The header becomes text before anything is opened, so a header that cannot be written leaves
  // nothing behind. Its closing brace is left off; "events" and "result" follow it.
  std::string text;
  try {
    text = head.dump();
  } catch (const Json::exception& e) {
    throw InputError(fmt::format("trace: {}: the header cannot be written as JSON: {}", path_.string(), e.what()));
  }
  text.pop_back();
  text += ",\n\"events\":[\n";
  open();
  write(text);
  if (direct_ && std::fflush(out_.get()) != 0) write_failed(errno);
}

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

void Tracer::open() {
  namespace fs = std::filesystem;
  const std::string shown = path_.string();
  std::error_code ec;
  const fs::file_status target = fs::status(path_, ec);  // follows links
  if (fs::is_symlink(fs::symlink_status(path_, ec))) {
    const fs::path to = fs::read_symlink(path_, ec);
    if (!fs::is_character_file(target) && !fs::is_fifo(target))
      throw OutputError(fmt::format("trace: {}: is a symbolic link (to {}); give the path of the file itself (a trace "
                                    "replaces its file by renaming over it, which would replace the link)",
                                    shown, to.string()));
  }
  if (fs::is_directory(target)) throw OutputError(fmt::format("trace: {}: is a folder, not a file", shown));
  if (fs::is_character_file(target) || fs::is_fifo(target)) {
    // Written directly, never replaced: O_CREAT is left out so that nothing new appears under the name.
    direct_ = true;
    written_ = path_;
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || !(out_ = std::unique_ptr<std::FILE, CloseFile>(::fdopen(fd, "wb")))) {
      const int error = errno;
      if (fd >= 0) ::close(fd);
      throw OutputError(fmt::format("trace: cannot write {}: {}", shown, std::generic_category().message(error)));
    }
    return;
  }
  if (fs::exists(target) && !fs::is_regular_file(target))
    throw OutputError(fmt::format("trace: {}: is {}; a trace goes to a file, a character device (/dev/null) or a FIFO",
                                  shown, fs::is_block_file(target) ? "a block device" : "not a regular file"));

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
      throw OutputError(fmt::format("trace: cannot create the folder {}: {}", path_.parent_path().string(), reason));
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
      throw OutputError(fmt::format("trace: cannot write {}: {}", shown, std::generic_category().message(error)));
    }
  }
  out_.reset(::fdopen(fd, "wb"));
  if (!out_) {
    const int error = errno;
    ::close(fd);
    abandon();
    throw OutputError(fmt::format("trace: cannot write {}: {}", shown, std::generic_category().message(error)));
  }
  std::setvbuf(out_.get(), nullptr, _IOFBF, std::size_t{1} << 16);
}

Tracer::~Tracer() {
  if (!finished_) abandon();
}

Tracer::Tracer(Tracer&& other) noexcept
    : level_(other.level_), limit_(other.limit_), run_(std::move(other.run_)), path_(std::move(other.path_)),
      written_(std::move(other.written_)), direct_(other.direct_),
      created_folders_(std::move(other.created_folders_)), out_(std::move(other.out_)),
      events_(other.events_), finished_(other.finished_) {
  other.level_ = TraceLevel::off;
  other.finished_ = true;
}

Tracer& Tracer::operator=(Tracer&& other) noexcept {
  if (this != &other) {
    if (!finished_) abandon();
    level_ = other.level_;
    limit_ = other.limit_;
    run_ = std::move(other.run_);
    path_ = std::move(other.path_);
    written_ = std::move(other.written_);
    direct_ = other.direct_;
    created_folders_ = std::move(other.created_folders_);
    out_ = std::move(other.out_);
    events_ = other.events_;
    finished_ = other.finished_;
    other.level_ = TraceLevel::off;
    other.finished_ = true;
  }
  return *this;
}

void Tracer::write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), out_.get()) != text.size()) write_failed(errno);
}

void Tracer::write_failed(int error) {
  abandon();
  throw OutputError(
      fmt::format("trace: writing {} failed: {}", path_.string(), std::generic_category().message(error)));
}

void Tracer::record(TraceLevel level, const Json& event) {
  if (!wants(level) || finished_) return;
  // The event becomes text before anything is written (dump() throws for a string that is not UTF-8).
  std::string text;
  if (run_.empty() || !event.is_object() || event.contains("run")) {
    text = event.dump();
  } else {
    // "event" first, then "run", then the rest in their order.
    Json labelled = Json::object();
    if (event.contains("event")) labelled["event"] = event["event"];
    labelled["run"] = run_;
    for (const auto& [key, value] : event.items())
      if (key != "event") labelled[key] = value;
    text = labelled.dump();
  }
  if (events_ > 0) write(",\n");
  write(text);
  // A device or a pipe gets each event as it is made, and a failed write is noticed at once; a file
  // is written a buffer at a time, and a failed write noticed at the record that fills the buffer.
  if (direct_ && std::fflush(out_.get()) != 0) write_failed(errno);
  ++events_;
}

void Tracer::finish(const Json& result) {
  if (finished_) return;
  if (level_ == TraceLevel::off) {
    finished_ = true;
    return;
  }
  std::string tail = events_ > 0 ? "\n]" : "]";
  if (!result.is_null()) tail += ",\n\"result\":" + result.dump();
  tail += "}\n";
  write(tail);
  if (std::fflush(out_.get()) != 0) write_failed(errno);
  if (std::fclose(out_.release()) != 0) write_failed(errno);
  if (!direct_) {
    std::error_code ec;
    std::filesystem::rename(written_, path_, ec);
    if (ec) {
      abandon();
      throw OutputError(fmt::format("trace: cannot rename {} to {}: {}", written_.string(), path_.string(),
                                    ec.message()));
    }
  }
  finished_ = true;
}

std::filesystem::path Tracer::failed_path(const std::filesystem::path& path) {
  std::filesystem::path failed = path;
  if (failed.extension() == ".json") {
    failed.replace_extension(".failed.json");
  } else {
    failed += ".failed";
  }
  return failed;
}

std::optional<std::filesystem::path> Tracer::finish_failed(std::string_view kind, std::string_view message) noexcept {
  if (finished_ || level_ == TraceLevel::off) return std::nullopt;
  try {
    const Json failure{{"kind", kind}, {"message", message}};
    limit_ = TraceLevel::full;  // the failure is recorded whatever restrict_to() said
    Json event{{"event", "failure"}};
    event.update(failure);
    record(TraceLevel::summary, event);
    std::string tail = events_ > 0 ? "\n]" : "]";
    tail += ",\n\"result\":" + Json{{"failed", failure}}.dump() + "}\n";
    write(tail);
    if (std::fflush(out_.get()) != 0) write_failed(errno);
    if (std::fclose(out_.release()) != 0) write_failed(errno);
    std::filesystem::path kept = path_;
    if (!direct_) {
      kept = failed_path(path_);
      std::error_code ec;
      std::filesystem::rename(written_, kept, ec);
      if (ec) {
        abandon();
        return std::nullopt;
      }
    }
    finished_ = true;
    return kept;
  } catch (...) {
    abandon();
    return std::nullopt;
  }
}

void Tracer::abandon() noexcept {
  if (level_ == TraceLevel::off) return;
  out_.reset();
  std::error_code ec;
  // A device or a FIFO is never removed; the partial file and the folders made for it are, if still empty.
  if (!direct_ && !written_.empty()) std::filesystem::remove(written_, ec);
  for (const auto& folder : created_folders_) std::filesystem::remove(folder, ec);
  created_folders_.clear();
  finished_ = true;
}

Tracer& Tracer::none() {
  static Tracer silent;
  return silent;
}

}  // namespace glassbox
