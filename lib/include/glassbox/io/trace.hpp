// glassbox/io/trace.hpp — JSON traces: every number a run computed, on the record.
//
// A trace is one JSON document, written as the run goes (streamed, so a long run never holds its
// trace in memory):
//
//   {"schema":"glassbox-trace","version":1,"program":…,"chapter":…,"seed":…,"trace_level":…,
//    "hyperparameters":{…},"network":…,
//    "events":[
//   {"event":"…",…},
//   …
//   ],
//    "result":{…}}
//
// One event per line, so `grep`, `head` and a diff work on it; the whole reads with jq and
// python3 -m json.tool. docs/trace-format.md describes every event and docs/trace.schema.json
// is its JSON Schema.
//
// Reproducible byte for byte: no timestamps, no host names, keys in the order written, and every
// double in the shortest form that reads back to the same bits. NaN and ±Inf, which JSON cannot
// hold as numbers, are written as the strings "nan", "inf" and "-inf".
//
// Where it is written (docs/trace-format.md, "Where the trace goes", says the same; output_file.hpp
// does it, for the SVG writer too):
//  - A path that does not exist yet or is a regular file: the trace is written to a file of its own
//    beside it, "<path>.<pid>.<random>.partial" (created with O_EXCL, so two runs writing the same
//    trace never share it, and a link planted under that name is never followed), and finish()
//    renames it to <path> in one step. A run that fails or is interrupted leaves no trace under the
//    final name and an earlier trace there intact; one that fails with an exception also removes its
//    partial file, and the folders the tracer created for it if they are still empty.
//  - A character device or a FIFO (/dev/null, /dev/stdout, a named pipe): written directly, each
//    record flushed as it is made, with nothing renamed and nothing removed — what a reader of the
//    pipe expects (a FIFO is opened when something reads it), and /dev/null stays /dev/null even
//    for root. Not atomic: a failed run leaves what it wrote so far.
//  - A symbolic link (the last part of the path; links among the folders are followed), a folder, a
//    block device or a socket: refused with OutputError. Renaming over a link would replace the
//    link, and writing through it is how a planted link makes a program run as root overwrite
//    another file; a block device is a disk.
// A write that fails (a full disk) throws OutputError naming the path at the record that notices it:
// at once for a device or a FIFO, within one buffer (64 KiB) of the failure for a file.
//
// How large it may grow: a trace is at most max_bytes long (by default kDefaultTraceMaxBytes, 1 GB;
// every program's --trace-max-size and a spec's trace.max_bytes set another). A record or a finish()
// that would pass the limit throws OutputError naming the limit, the option that raises it and
// how to record less, and the trace is abandoned as after any failed write (its partial file
// removed). A program that can estimate its trace's size before it starts (estimated_trace_bytes(),
// train.hpp) refuses with check_trace_estimate() instead, before training.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/core/error.hpp"
#include "glassbox/core/json.hpp"
#include "glassbox/core/matrix.hpp"
#include "glassbox/io/output_file.hpp"

namespace glassbox {

// How much a trace records. Each level includes the ones before it.
enum class TraceLevel {
  off = 0,      // nothing (and costs nothing: callers test wants() before building an event)
  summary = 1,  // one event per epoch, and results
  step = 2,     // one event per update: loss, gradient norms
  full = 3,     // every activation, delta, gradient and weight update
};

std::string_view to_string(TraceLevel level);
std::optional<TraceLevel> parse_trace_level(std::string_view text);  // "off" "summary" "step" "full"

// The size a trace may reach unless told otherwise: 1 GB, some hundred times the course's largest trace
// at its default level, and a tenth of what `ch08 --trace-level full` would write without a limit.
inline constexpr std::uint64_t kDefaultTraceMaxBytes = 1'000'000'000;

// Refuses, with UsageError, a run whose trace at `level` is estimated at more than `max_bytes` before
// the run starts: the message gives the estimate, the limit and the ways around it (a lower
// --trace-level, fewer epochs, --trace-max-size). Nothing happens when the estimate fits.
void check_trace_estimate(const std::filesystem::path& path, TraceLevel level, double estimated_bytes,
                          std::uint64_t max_bytes);

struct TraceHeader {
  std::string program;                      // "ch06_backprop_shallow"
  int chapter = 0;                          // 6 (0 for programs outside the course)
  std::uint64_t seed = 0;
  Json hyperparameters = Json::object();    // every setting that changes the numbers
  std::string network;                      // e.g. "Dense(2→2, sigmoid) → Dense(2→2, sigmoid)"; may be empty
};

class Tracer {
public:
  // A tracer that records nothing.
  Tracer() = default;
  // Opens the trace for writing as described above (creating missing parent folders) and writes the
  // header. Throws OutputError naming the path if it cannot, InputError if the header is not valid
  // JSON text (a string that is not UTF-8); either way nothing is left behind. With level off,
  // nothing is opened. The trace may be at most max_bytes long, the header included.
  Tracer(std::filesystem::path path, TraceLevel level, const TraceHeader& header,
         std::uint64_t max_bytes = kDefaultTraceMaxBytes);
  ~Tracer();
  Tracer(Tracer&& other) noexcept;
  Tracer& operator=(Tracer&& other) noexcept;
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  TraceLevel level() const noexcept { return level_; }
  // Whether an event of this level is recorded. Cheap: test it before building an event.
  bool wants(TraceLevel level) const noexcept {
    return level != TraceLevel::off && level <= level_ && level <= limit_;
  }

  // From now on, records only events up to `level`, never more than the trace's own level (the
  // header keeps that one): a chapter can trace its first updates in full and only summaries after.
  // restrict_to(TraceLevel::full) lifts the restriction.
  void restrict_to(TraceLevel level) noexcept { limit_ = level; }

  // Labels every event recorded from now on with "run": name, right after "event", so the events
  // of a chapter that trains several networks tell which one they belong to. An empty name stops
  // the labelling; an event that carries its own "run" keeps it.
  void set_run(std::string name) { run_ = std::move(name); }
  const std::string& run() const noexcept { return run_; }

  // Records `event` (a JSON object; its first key should be "event", naming the kind) if the tracer
  // wants `level`. Throws OutputError when a write fails or the event would take the trace past its
  // limit (the trace is then abandoned).
  void record(TraceLevel level, const Json& event);

  // Writes the closing part (with `result`, if not null), flushes, and renames the file to its
  // final name. Throws OutputError if a write or the rename failed, and then removes the partial
  // file. Without finish(), nothing keeps the name.
  void finish(const Json& result = Json());

  // For a run whose numbers broke (NaN, ±Inf, a diverging loss): records a "failure" event with
  // `kind` ("non_finite", "divergence") and `message` — whatever the level, it is the one event a
  // failed trace must have — closes the document with "result": {"failed": {kind, message}}, and
  // keeps it under failed_path(path()): "traces/x.json" becomes "traces/x.failed.json", so the
  // last good trace at path() stays as it was. Returns where the trace went; nothing (and nothing
  // left behind) if the trace is off, already finished, or could not be written. Never throws.
  std::optional<std::filesystem::path> finish_failed(std::string_view kind, std::string_view message) noexcept;
  // "<stem>.failed.json" beside "<stem>.json"; "<path>.failed" for a path without ".json".
  static std::filesystem::path failed_path(const std::filesystem::path& path);

  const std::filesystem::path& path() const noexcept { return path_; }
  std::size_t events_recorded() const noexcept { return events_; }
  std::uint64_t bytes_written() const noexcept { return bytes_; }
  std::uint64_t max_bytes() const noexcept { return max_bytes_; }
  bool finished() const noexcept { return finished_; }

  // A tracer that records nothing, for calls that take a Tracer& when the caller has none.
  static Tracer& none();

private:
  void write(std::string_view text);
  [[noreturn]] void write_failed(int error);
  [[noreturn]] void limit_reached();
  void abandon() noexcept;

  TraceLevel level_ = TraceLevel::off;
  TraceLevel limit_ = TraceLevel::full;
  std::string run_;
  std::filesystem::path path_;  // where the trace ends up
  OutputFile file_;             // the unique partial file, or path_ itself for a device or a FIFO
  std::size_t events_ = 0;
  std::uint64_t bytes_ = 0;  // written so far, the header included
  std::uint64_t max_bytes_ = kDefaultTraceMaxBytes;
  bool finished_ = false;
};

}  // namespace glassbox
