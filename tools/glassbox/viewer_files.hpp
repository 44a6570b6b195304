// The trace viewer's files (viewer/*.html, *.js, *.css), built into the program: CMake turns them
// into viewer_files.cpp at build time (cmake/EmbedFiles.cmake), so `glassbox view` needs nothing
// beside the binary to write its page, wherever the program is installed.
#pragma once

#include <span>
#include <string_view>

namespace glassbox {

struct ViewerFile {
  std::string_view name;  // as index.html refers to it: "app.js"
  std::string_view text;
};

std::span<const ViewerFile> viewer_files();

}  // namespace glassbox
