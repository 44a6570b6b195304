// glassbox/io/trace_reader.cpp — reading a trace line by line.
#include "glassbox/io/trace_reader.hpp"

#include <cerrno>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"

namespace glassbox {

namespace {

// The text without a trailing ','.
std::string_view without_comma(std::string_view text) {
  if (!text.empty() && text.back() == ',') text.remove_suffix(1);
  return text;
}

}  // namespace

TraceReader::TraceReader(std::filesystem::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (std::filesystem::is_directory(path_, ec)) fail("is a folder, not a trace");
  in_.open(path_, std::ios::binary);
  if (!in_) {
    const int error = errno;
    throw InputError(fmt::format("{}: cannot open: {}", path_.string(), std::generic_category().message(error)));
  }
  // Line 1: the header object with its closing brace left off and a ',' after it.
  std::string text;
  if (!read_line(text)) fail("is empty, not a trace");
  std::string_view head = without_comma(text);
  header_ = Json::parse(std::string(head) + "}", nullptr, false);
  if (header_.is_discarded() || !header_.is_object() || header_.value("schema", "") != "glassbox-trace")
    fail("the first line is not the header of a glassbox trace (one event per line, as glassbox writes it)");
  // Line 2: where the events start.
  if (!read_line(text) || text != "\"events\":[") fail("expected \"events\":[ after the header");
}

void TraceReader::fail(const std::string& what) const {
  if (line_ == 0) throw InputError(fmt::format("{}: {}", path_.string(), what));
  throw InputError(fmt::format("{}:{}: {}", path_.string(), line_, what));
}

bool TraceReader::read_line(std::string& text) {
  if (!std::getline(in_, text)) {
    if (in_.bad()) fail("cannot be read");
    return false;
  }
  ++line_;
  return true;
}

std::optional<Json> TraceReader::next() { return next_of({}); }

std::optional<Json> TraceReader::next(std::string_view kind) {
  if (kind.empty()) throw std::invalid_argument("TraceReader::next: no kind of event given");
  return next_of([kind](std::string_view k) { return k == kind; });
}

std::optional<Json> TraceReader::next_if(const std::function<bool(std::string_view)>& wanted) {
  if (!wanted) throw std::invalid_argument("TraceReader::next_if: no test of the kind given");
  return next_of(wanted);
}

std::optional<Json> TraceReader::next_of(const std::function<bool(std::string_view)>& wanted) {
  if (done_) return std::nullopt;
  std::string text;
  constexpr std::string_view opening = "{\"event\":\"";
  while (true) {
    if (!read_line(text)) fail("ends before the trace is closed (an unfinished trace?)");
    if (!wanted || text.starts_with("]")) break;
    // The kind, read from the line's start without parsing the rest: {"event":"<kind>", …
    if (!text.starts_with(opening)) fail("not a trace event (one JSON object with \"event\" first per line)");
    const std::size_t end = text.find('"', opening.size());
    if (end != std::string::npos && wanted(std::string_view(text).substr(opening.size(), end - opening.size()))) break;
    ++events_;  // another kind: skipped, but counted
  }
  if (text == "]}") {  // the end of the events, and of a trace without a result
    done_ = true;
    return std::nullopt;
  }
  if (text == "]" || text == "],") {
    // The end of the events; the result follows a "],".
    done_ = true;
    if (text == "],") {
      if (!read_line(text)) fail("ends before the trace's result");
      if (text.empty() || text.back() != '}') fail("the result line does not close the trace");
      text.pop_back();
      const Json rest = Json::parse("{" + text + "}", nullptr, false);
      if (rest.is_discarded() || !rest.contains("result")) fail("expected \"result\": after the events");
      result_ = rest["result"];
    } else if (!read_line(text) || text != "}") {
      fail("expected the closing } of the trace");
    }
    return std::nullopt;
  }
  if (text.starts_with("]")) {
    done_ = true;
    fail("expected ] or ], to end the events");
  }
  Json event = Json::parse(without_comma(text), nullptr, false);
  if (event.is_discarded() || !event.is_object() || !event.contains("event"))
    fail("not a trace event (one JSON object with \"event\" per line)");
  ++events_;
  return event;
}

}  // namespace glassbox
