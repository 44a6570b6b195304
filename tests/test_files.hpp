// Small file helpers the unit tests share: read a whole file, and check a trace against the schema.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace glassbox::testing {

// The bytes of a file, as they are (empty if it cannot be read).
inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether a trace validates against docs/trace.schema.json (scripts/validate_trace.py says why not).
inline bool validates(const std::filesystem::path& trace) {
  const std::string command = std::string("/usr/bin/python3 ") + GLASSBOX_SOURCE_DIR + "/scripts/validate_trace.py " +
                              GLASSBOX_SOURCE_DIR + "/docs/trace.schema.json " + trace.string();
  return std::system(command.c_str()) == 0;
}

}  // namespace glassbox::testing
