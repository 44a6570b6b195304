// glassbox/core/file.hpp — reading a whole file into memory, up to a limit.
//
// A file read whole has to fit in memory, and a path may name something that never ends: /dev/zero,
// a pipe. read_file_at_most() reads at most `max_bytes` + 1 bytes, so either is refused as soon as
// it passes the limit (a regular file larger than the limit is refused before it is read).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace glassbox {

// The whole file. Throws InputError "<path>: cannot open the file: <reason>", "<path>: cannot read
// the file", or "<path>: larger than <limit>, the most <what> may be" (what: "a spec", "a CSV file").
std::string read_file_at_most(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what);

// A size as people read it: "16 MiB" when it is a whole number of MiB, else "2001 bytes".
std::string byte_count(std::size_t bytes);

}  // namespace glassbox
