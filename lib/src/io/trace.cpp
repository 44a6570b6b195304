// glassbox/io/trace.cpp — the streaming trace writer, atomic through output_file.hpp, and its size limit.
#include "glassbox/io/trace.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <limits>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "glassbox/core/bytes.hpp"

namespace glassbox {

std::string_view to_string(TraceLevel level) {
  switch (level) {
    case TraceLevel::off: return "off";
    case TraceLevel::summary: return "summary";
    case TraceLevel::step: return "step";
    case TraceLevel::full: return "full";
  }
  return "?";
}

std::optional<TraceLevel> parse_trace_level(std::string_view text) {
  for (TraceLevel level : {TraceLevel::off, TraceLevel::summary, TraceLevel::step, TraceLevel::full})
    if (text == to_string(level)) return level;
  return std::nullopt;
}

namespace {

// How to record less at `level`: a lower level, or (at the lowest) fewer epochs.
std::string narrower(TraceLevel level) {
  switch (level) {
    case TraceLevel::full:
      return "a lower --trace-level (step or summary; trace.level in a spec), a window of steps traced in full "
             "(--trace-steps A:B or --trace-every-epoch; trace.steps or trace.every_epoch in a spec) or fewer epochs";
    case TraceLevel::step: return "--trace-level summary (trace.level in a spec) or fewer epochs";
    default: return "fewer epochs";
  }
}

}  // namespace

void check_trace_estimate(const std::filesystem::path& path, TraceLevel level, double estimated_bytes,
                          std::uint64_t max_bytes) {
  if (level == TraceLevel::off || estimated_bytes <= static_cast<double>(max_bytes)) return;
  throw UsageError(fmt::format("trace: {}: at level {} this run would write about {}, more than the trace's limit "
                               "of {} ({} bytes); record less with {}, or raise the limit with "
                               "--trace-max-size SIZE (trace.max_bytes in a spec)",
                               path.string(), to_string(level), format_bytes(estimated_bytes),
                               format_bytes(static_cast<double>(max_bytes)), max_bytes, narrower(level)));
}

Tracer::Tracer(std::filesystem::path path, TraceLevel level, const TraceHeader& header, std::uint64_t max_bytes)
    : level_(level), path_(std::move(path)), max_bytes_(max_bytes) {
  if (level_ == TraceLevel::off) return;
  if (path_.empty()) throw OutputError("trace: no path given");
  Json head;
  head["schema"] = "glassbox-trace";
  head["version"] = 1;
  head["program"] = header.program;
  head["chapter"] = header.chapter;
  head["seed"] = header.seed;
  head["trace_level"] = std::string(to_string(level_));
  head["hyperparameters"] = header.hyperparameters;
  if (!header.network.empty()) head["network"] = header.network;
  // The header becomes text before anything is opened, so a header that cannot be written leaves
  // nothing behind. Its closing brace is left off; "events" and "result" follow it.
  std::string text;
  try {
    text = head.dump();
  } catch (const Json::exception& e) {
    throw InputError(fmt::format("trace: {}: the header cannot be written as JSON: {}", path_.string(), e.what()));
  }
  text.pop_back();
  text += ",\n\"events\":[\n";
  file_ = OutputFile(path_, "trace");
  if (!file_.direct()) std::setvbuf(file_.get(), nullptr, _IOFBF, std::size_t{1} << 16);
  write(text);
  if (file_.direct() && std::fflush(file_.get()) != 0) write_failed(errno);
}

Tracer::~Tracer() {
  if (!finished_) abandon();
}

Tracer::Tracer(Tracer&& other) noexcept
    : level_(other.level_), limit_(other.limit_), run_(std::move(other.run_)), path_(std::move(other.path_)),
      file_(std::move(other.file_)),
      events_(other.events_), bytes_(other.bytes_), max_bytes_(other.max_bytes_), finished_(other.finished_) {
  other.level_ = TraceLevel::off;
  other.finished_ = true;
}

Tracer& Tracer::operator=(Tracer&& other) noexcept {
  if (this != &other) {
    if (!finished_) abandon();
    level_ = other.level_;
    limit_ = other.limit_;
    run_ = std::move(other.run_);
    path_ = std::move(other.path_);
    file_ = std::move(other.file_);
    events_ = other.events_;
    bytes_ = other.bytes_;
    max_bytes_ = other.max_bytes_;
    finished_ = other.finished_;
    other.level_ = TraceLevel::off;
    other.finished_ = true;
  }
  return *this;
}

void Tracer::write(std::string_view text) {
  if (text.size() > max_bytes_ - std::min(bytes_, max_bytes_)) limit_reached();
  if (std::fwrite(text.data(), 1, text.size(), file_.get()) != text.size()) write_failed(errno);
  bytes_ += text.size();
}

void Tracer::limit_reached() {
  abandon();
  throw OutputError(fmt::format("trace: {}: the trace would pass its limit of {} ({} bytes) at level {}; record "
                                "less with {}, or raise the limit with --trace-max-size SIZE (trace.max_bytes "
                                "in a spec)",
                                path_.string(), format_bytes(static_cast<double>(max_bytes_)), max_bytes_,
                                to_string(level_), narrower(level_)));
}

void Tracer::write_failed(int error) {
  abandon();
  throw OutputError(
      fmt::format("trace: writing {} failed: {}", path_.string(), std::generic_category().message(error)));
}

void Tracer::record(TraceLevel level, const Json& event) {
  if (!wants(level) || finished_) return;
  // The event becomes text before anything is written (dump() throws for a string that is not UTF-8).
  std::string text;
  if (run_.empty() || !event.is_object() || event.contains("run")) {
    text = event.dump();
  } else {
    // "event" first, then "run", then the rest in their order.
    Json labelled = Json::object();
    if (event.contains("event")) labelled["event"] = event["event"];
    labelled["run"] = run_;
    for (const auto& [key, value] : event.items())
      if (key != "event") labelled[key] = value;
    text = labelled.dump();
  }
  if (events_ > 0) write(",\n");
  write(text);
  // A device or a pipe gets each event as it is made, and a failed write is noticed at once; a file
  // is written a buffer at a time, and a failed write noticed at the record that fills the buffer.
  if (file_.direct() && std::fflush(file_.get()) != 0) write_failed(errno);
  ++events_;
}

void Tracer::finish(const Json& result) {
  if (finished_) return;
  if (level_ == TraceLevel::off) {
    finished_ = true;
    return;
  }
  std::string tail = events_ > 0 ? "\n]" : "]";
  if (!result.is_null()) tail += ",\n\"result\":" + result.dump();
  tail += "}\n";
  write(tail);
  if (std::fflush(file_.get()) != 0) write_failed(errno);
  try {
    file_.commit();  // closes the file and renames it to path_
  } catch (const OutputError&) {
    abandon();
    throw;
  }
  finished_ = true;
}

std::filesystem::path Tracer::failed_path(const std::filesystem::path& path) {
  std::filesystem::path failed = path;
  if (failed.extension() == ".json") {
    failed.replace_extension(".failed.json");
  } else {
    failed += ".failed";
  }
  return failed;
}

std::optional<std::filesystem::path> Tracer::finish_failed(std::string_view kind, std::string_view message) noexcept {
  if (finished_ || level_ == TraceLevel::off) return std::nullopt;
  try {
    const Json failure{{"kind", kind}, {"message", message}};
    limit_ = TraceLevel::full;  // the failure is recorded whatever restrict_to() said
    Json event{{"event", "failure"}};
    event.update(failure);
    record(TraceLevel::summary, event);
    std::string tail = events_ > 0 ? "\n]" : "]";
    tail += ",\n\"result\":" + Json{{"failed", failure}}.dump() + "}\n";
    write(tail);
    const std::filesystem::path kept = file_.direct() ? path_ : failed_path(path_);
    file_.commit_as(kept);  // a device or a FIFO is only closed
    finished_ = true;
    return kept;
  } catch (...) {
    abandon();
    return std::nullopt;
  }
}

void Tracer::abandon() noexcept {
  if (level_ == TraceLevel::off) return;
  file_.abandon();  // the partial file and the folders made for it, if still empty; never a device or a FIFO
  finished_ = true;
}

Tracer& Tracer::none() {
  static Tracer silent;
  return silent;
}

}  // namespace glassbox
