// glassbox/io/output_file.hpp — a file written so that no reader sees half of it and no planted link is
// followed: what the trace writer (trace.hpp) and the SVG writer (svg.hpp) share.
//
// What happens depends on what is at the path when the file is opened (docs/trace-format.md, "Where
// the trace goes", says the same for traces):
//  - nothing, or a regular file: missing parent folders are created (and remembered), and the text is
//    written to a file of its own beside the path, "<path>.<pid>.<16 hex digits>.partial", created
//    with O_EXCL (so two writers of one path never share it, and a link planted under that name is
//    never followed); commit() renames it to the path in one step.
//  - a character device or a FIFO (/dev/null, /dev/stdout, a named pipe): written directly, opened
//    without O_CREAT so that nothing new appears under the name; commit() only closes it.
//  - a symbolic link (the last part of the path) to anything else, a folder, a block device or a
//    socket: refused with OutputError.
// abandon() (and the destructor, unless commit() succeeded) removes the partial file and the folders
// made for it if they are still empty; a device or a FIFO is never removed. Every message starts with
// the writer's name ("trace: …", "svg: …") and names the path.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace glassbox {

class OutputFile {
public:
  OutputFile() = default;
  // Opens `path` as described above. `writer` starts every message ("trace"). Throws OutputError.
  OutputFile(std::filesystem::path path, std::string writer);
  ~OutputFile() { abandon(); }
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&& other) noexcept;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::FILE* get() const noexcept { return out_.get(); }
  bool is_open() const noexcept { return out_ != nullptr; }
  bool direct() const noexcept { return direct_; }                            // a device or a FIFO
  const std::filesystem::path& path() const noexcept { return path_; }        // where it ends up
  const std::filesystem::path& written() const noexcept { return written_; }  // the partial file, or path()

  // Flushes and closes the file and, unless it is written directly, renames it to path(). Throws
  // OutputError ("<writer>: writing <path> failed: …", "<writer>: cannot rename …") after abandon().
  void commit();
  // The same, under another name in the same folder (a failed run's trace: "x.failed.json").
  void commit_as(const std::filesystem::path& target);
  // Closes the file and removes what open made (the partial file, new empty folders). Idempotent.
  void abandon() noexcept;

private:
  struct CloseFile {
    void operator()(std::FILE* file) const noexcept { std::fclose(file); }
  };
  std::filesystem::path path_;
  std::string writer_;
  std::filesystem::path written_;
  bool direct_ = false;
  std::vector<std::filesystem::path> created_folders_;  // deepest first
  std::unique_ptr<std::FILE, CloseFile> out_;
};

}  // namespace glassbox
