// glassbox/io/trace_reader.hpp — a trace read back one event at a time, as trace.hpp writes it: the
// header on the first line, "events":[ on the second, one event per line, then the result.
//
//   TraceReader trace("traces/ch06_backprop_shallow.json");
//   while (auto event = trace.next())
//     if ((*event)["event"] == "epoch") …;
//   trace.result();  // after the last event
//
// Only one line is held at a time, so a trace of any size reads in little memory. A file that is not
// laid out this way (a trace pretty-printed by another program, cut off, or not a trace at all)
// throws InputError naming the file and the line.
#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "glassbox/core/json.hpp"

namespace glassbox {

class TraceReader {
public:
  // Opens the file and reads the header. Throws InputError if it cannot be opened or its first two
  // lines are not a glassbox trace's header.
  explicit TraceReader(std::filesystem::path path);

  const std::filesystem::path& path() const noexcept { return path_; }
  // The header: schema, version, program, chapter, seed, trace_level, hyperparameters, network.
  const Json& header() const noexcept { return header_; }

  // The next event, or nothing after the last one (then result() holds the result). Throws
  // InputError for a line that is not an event, or a file that ends before the trace is closed.
  std::optional<Json> next();
  // The next event of this kind ("epoch"), or nothing after the last event. The events in between
  // are skipped without being parsed (their "event" comes first, as the Tracer writes it), so picking
  // the few epoch events out of a large trace is quick.
  std::optional<Json> next(std::string_view kind);
  // The next event whose kind passes `wanted`, the others skipped the same way.
  std::optional<Json> next_if(const std::function<bool(std::string_view)>& wanted);
  // The line the event next() returned last stands on (counted from 1).
  std::size_t line() const noexcept { return line_; }
  // Events returned so far.
  std::size_t events() const noexcept { return events_; }
  // The trace's "result" once next() has returned nothing; null for a trace without one.
  const Json& result() const noexcept { return result_; }

private:
  std::optional<Json> next_of(const std::function<bool(std::string_view)>& wanted);
  [[noreturn]] void fail(const std::string& what) const;
  bool read_line(std::string& text);

  std::filesystem::path path_;
  std::ifstream in_;
  Json header_;
  Json result_;
  std::size_t line_ = 0;
  std::size_t events_ = 0;
  bool done_ = false;
};

}  // namespace glassbox
