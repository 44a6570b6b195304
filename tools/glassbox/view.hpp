// glassbox view: a trace as one self-contained HTML page (view.cpp).
#pragma once

#include <string>
#include <string_view>

namespace glassbox {

// `glassbox view TRACE [-o FILE] [--max-size SIZE]`, with argv[0] = "view". Returns the exit code.
int view_command(int argc, const char* const* argv);

// The viewer's page with its scripts and style inlined and `trace_text` inside it.
std::string viewer_page(std::string_view trace_text, std::string_view trace_name);

}  // namespace glassbox
