// glassbox view TRACE [-o FILE] [--max-size SIZE] — one HTML file that shows a trace.
//
// Writes the trace viewer (viewer/index.html and its scripts and style, built into the program:
// viewer_files.hpp) as one self-contained page with the trace inside, and prints its path. Open it
// in any browser, from disk; it fetches nothing. The default output is the trace's path with .html
// in place of .json. The page holds the whole trace, so a trace above --max-size (default 50 MB) is
// refused: open viewer/index.html (installed as share/glassbox/viewer/index.html) and pick the file
// there instead — that page reads a file of any size in pieces.
// Exit codes: 0 written; 1 the page could not be written; 2 a bad command line or a file that is not
// a glassbox trace (nothing is written).
#include "view.hpp"

#include <cassert>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "glassbox/core/bytes.hpp"
#include "glassbox/core/error.hpp"
#include "glassbox/core/file.hpp"
#include "glassbox/io/output_file.hpp"
#include "viewer_files.hpp"

namespace glassbox {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kDefaultMaxBytes = 50'000'000;

const char* const kHelp =
    "glassbox view — a trace as one HTML page\n\n"
    "usage: glassbox view TRACE [-o FILE] [--max-size SIZE]\n\n"
    "Writes the trace viewer with the trace inside as one HTML file and prints its path: open it in a\n"
    "browser (no server, nothing fetched) to step through the run, see the network, the curves, the\n"
    "gradient checks. A trace larger than the page can hold: open viewer/index.html and pick the file.\n\n"
    "options:\n"
    "  -o, --output FILE   where to write the page (default: TRACE with .html in place of .json)\n"
    "  --max-size SIZE     the largest trace to put in a page (500M, 2G; default 50M)\n"
    "  --help              this text\n";

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string html_attribute(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

// The header on the trace's first line, or InputError naming the file.
void check_is_trace(const std::string& text, const fs::path& path) {
  const std::string first = text.substr(0, text.find('\n'));
  std::string header = first;
  while (!header.empty() && (header.back() == ',' || header.back() == '\r' || header.back() == ' ')) header.pop_back();
  nlohmann::json parsed = nlohmann::json::parse(header + "}", nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    throw InputError(fmt::format("{}: line 1: not the header of a glassbox trace (one JSON object per line, "
                                 "docs/trace-format.md)", path.string()));
  if (!parsed.contains("schema") || parsed["schema"] != "glassbox-trace")
    throw InputError(fmt::format("{}: line 1: \"schema\" is not \"glassbox-trace\": not a glassbox trace", path.string()));
}

}  // namespace

std::string viewer_page(std::string_view trace_text, std::string_view trace_name) {
  std::string page;
  for (const ViewerFile& f : viewer_files())
    if (f.name == "index.html") page = std::string(f.text);
  assert(!page.empty() && "viewer/index.html is built into the program (tools/CMakeLists.txt)");
  // Each <script src="x.js"></script> and the stylesheet's <link> get the file's text in their place.
  // "</script" inside a script would end it early: written "<\/script", the same text to JavaScript.
  for (const ViewerFile& f : viewer_files()) {
    if (f.name.ends_with(".js")) {
      const std::string tag = fmt::format("<script src=\"{}\"></script>", f.name);
      const std::string inlined = fmt::format("<script>/* {} */\n{}</script>", f.name, replace_all(std::string(f.text), "</script", "<\\/script"));
      const std::size_t at = page.find(tag);
      if (at != std::string::npos) page.replace(at, tag.size(), inlined);
    } else if (f.name.ends_with(".css")) {
      const std::string tag = fmt::format("<link rel=\"stylesheet\" href=\"{}\">", f.name);
      const std::size_t at = page.find(tag);
      if (at != std::string::npos) page.replace(at, tag.size(), fmt::format("<style>/* {} */\n{}</style>", f.name, f.text));
    }
  }
  // The trace as the text of a JSON script element, which the page reads as if it were a file. A '<'
  // can only be inside a JSON string, where \u003c is the same character; so nothing ends the element.
  const std::string marker = "<!-- glassbox view: the trace goes here -->";
  const std::string trace = fmt::format("<script type=\"application/json\" id=\"inline-trace\" data-name=\"{}\">\n{}</script>",
                                        html_attribute(trace_name), replace_all(std::string(trace_text), "<", "\\u003c"));
  const std::size_t at = page.find(marker);
  if (at != std::string::npos) page.replace(at, marker.size(), trace);
  return page;
}

int view_command(int argc, const char* const* argv) {
  std::vector<std::string> positional;
  std::string output;
  std::uint64_t max_bytes = kDefaultMaxBytes;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        fmt::print("{}", kHelp);
        return 0;
      }
      if (arg == "-o" || arg == "--output" || arg == "--max-size") {
        if (i + 1 == argc) throw UsageError(fmt::format("{} needs a value", arg));
        const std::string value = argv[++i];
        if (arg == "--max-size") {
          const auto parsed = parse_bytes(value);
          if (!parsed || *parsed == 0)
            throw UsageError(fmt::format("--max-size: \"{}\" is not a size (a whole number of bytes, optionally with K, M, G, "
                                         "T or Ki, Mi, Gi, Ti: 500M, 2G)", value));
          max_bytes = *parsed;
        } else {
          if (value.empty()) throw UsageError(fmt::format("{}: the path is empty", arg));
          output = value;
        }
      } else if (arg.starts_with("-") && arg != "-") {
        throw UsageError(fmt::format("view: unknown option \"{}\" (the options are -o FILE, --max-size SIZE, --help)", arg));
      } else {
        positional.emplace_back(arg);
      }
    }
    if (positional.size() != 1)
      throw UsageError(positional.empty() ? "view: give the trace to show: glassbox view TRACE [-o FILE]"
                                          : fmt::format("view: one trace at a time, got {}", positional.size()));
  } catch (const UsageError& e) {
    fmt::print(stderr, "glassbox: error: {}\n", e.what());
    return 2;
  }

  const fs::path trace_path = positional[0];
  fs::path out_path = output;
  if (out_path.empty()) {
    out_path = trace_path;
    out_path.replace_extension(".html");
  }
  std::string text;
  try {
    std::error_code ec;
    if (fs::is_regular_file(trace_path, ec) && fs::file_size(trace_path, ec) > max_bytes)
      throw InputError(fmt::format(
          "{}: {}, more than the {} a page with the trace inside may hold (--max-size SIZE raises it); for a trace this "
          "large, open viewer/index.html (installed as share/glassbox/viewer/index.html) in a browser and pick the file "
          "there: that page reads it in pieces",
          trace_path.string(), format_bytes(static_cast<double>(fs::file_size(trace_path))), format_bytes(static_cast<double>(max_bytes))));
    text = read_file_at_most(trace_path, max_bytes, "a trace shown by glassbox view (--max-size raises it)");
    check_is_trace(text, trace_path);
    if (fs::weakly_canonical(out_path, ec) == fs::weakly_canonical(trace_path, ec))
      throw UsageError(fmt::format("view: -o {}: that is the trace itself", out_path.string()));
  } catch (const InputError& e) {
    fmt::print(stderr, "glassbox: error: {}\n", e.what());
    return 2;
  } catch (const UsageError& e) {
    fmt::print(stderr, "glassbox: error: {}\n", e.what());
    return 2;
  }

  try {
    OutputFile file(out_path, "view");
    const std::string page = viewer_page(text, trace_path.filename().string());
    if (std::fwrite(page.data(), 1, page.size(), file.get()) != page.size())
      throw OutputError(fmt::format("view: writing {} failed", out_path.string()));
    file.commit();
  } catch (const std::exception& e) {  // OutputError, or a file system error
    fmt::print(stderr, "glassbox: error: {}\n", e.what());
    return 1;
  }
  fmt::print("{}\n", out_path.string());
  return 0;
}

}  // namespace glassbox
