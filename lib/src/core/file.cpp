// glassbox/core/file.cpp — reading a whole file into memory, up to a limit.
#include "glassbox/core/file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"

namespace glassbox {

std::string byte_count(std::size_t bytes) {
  constexpr std::size_t MiB = 1024 * 1024;
  if (bytes >= MiB && bytes % MiB == 0) return fmt::format("{} MiB", bytes / MiB);
  return fmt::format("{} byte{}", bytes, bytes == 1 ? "" : "s");
}

std::string read_file_at_most(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what) {
  const auto too_large = [&] {
    return InputError(
        fmt::format("{}: larger than {}, the most {} may be", path.string(), byte_count(max_bytes), what));
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open the file: {}", path.string(), std::strerror(errno)));
  std::string text;
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_bytes) throw too_large();
    if (!ec) text.reserve(static_cast<std::size_t>(size));
  }
  // In pieces, stopping one byte past the limit: a device or a pipe has no size to check first.
  std::vector<char> piece(std::size_t{1} << 16);
  while (in && text.size() <= max_bytes) {
    const std::size_t wanted = std::min(piece.size(), max_bytes + 1 - text.size());
    in.read(piece.data(), static_cast<std::streamsize>(wanted));
    const auto got = static_cast<std::size_t>(in.gcount());
    // Grow by doubling as append would, but to the limit + 1 at most: twice 256 MiB would be wasted.
    // (Asking for less than twice the capacity gets twice anyway, so the last step asks for all.)
    if (text.size() + got > text.capacity())
      text.reserve(2 * text.capacity() >= max_bytes ? max_bytes + 1 : std::max(2 * text.capacity(), text.size() + got));
    text.append(piece.data(), got);
  }
  if (in.bad()) throw InputError(fmt::format("{}: cannot read the file", path.string()));
  if (text.size() > max_bytes) throw too_large();
  return text;
}

}  // namespace glassbox
