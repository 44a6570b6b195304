// Reads an SVG file back through Python's XML parser (tests/svg_check.py) and returns what it
// found — element counts by tag and by class, the <title> and <text> contents — or nothing when
// the file is not well-formed SVG. The parser is independent of the writer under test.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace glassbox::testing {

inline std::optional<nlohmann::json> read_svg(const std::filesystem::path& file) {
  const std::string command = std::string("/usr/bin/python3 " GLASSBOX_SOURCE_DIR "/tests/svg_check.py '") +
                              file.string() + "' 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = ::pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return nlohmann::json::parse(out);
}

// How many elements with this tag (or class) the SVG holds; 0 if none.
inline int count_of(const nlohmann::json& svg, const std::string& group, const std::string& name) {
  return svg[group].value(name, 0);
}

}  // namespace glassbox::testing
