// glassbox/core/bytes.cpp — reading and writing sizes in bytes.
#include "glassbox/core/bytes.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace glassbox {

std::optional<std::uint64_t> parse_bytes(std::string_view text) {
  std::uint64_t count = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, count);
  if (ec != std::errc() || ptr == text.data()) return std::nullopt;
  std::string_view suffix(ptr, static_cast<std::size_t>(end - ptr));
  if (suffix.ends_with("B")) suffix.remove_suffix(1);
  const bool binary = suffix.ends_with("i");
  if (binary) suffix.remove_suffix(1);
  int power = 0;
  if (suffix == "K" || suffix == "k") power = 1;
  else if (suffix == "M") power = 2;
  else if (suffix == "G") power = 3;
  else if (suffix == "T") power = 4;
  else if (!suffix.empty() || binary) return std::nullopt;
  const std::uint64_t unit = binary ? 1024 : 1000;
  for (int i = 0; i < power; ++i) {
    if (count > std::numeric_limits<std::uint64_t>::max() / unit) return std::nullopt;
    count *= unit;
  }
  return count;
}

std::string format_bytes(double bytes) {
  static constexpr std::array<const char*, 6> units = {"kB", "MB", "GB", "TB", "PB", "EB"};
  if (!(bytes >= 999.5)) return fmt::format("{:.0f} bytes", std::max(bytes, 0.0));
  std::size_t u = 0;
  double value = bytes / 1000;
  while (value >= 999.5 && u + 1 < units.size()) {
    value /= 1000;
    ++u;
  }
  return fmt::format("{:.3g} {}", value, units[u]);
}

}  // namespace glassbox
