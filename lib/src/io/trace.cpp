// glassbox/io/trace.cpp — the streaming, atomic trace writer.
#include "glassbox/io/trace.hpp"

#include <cmath>
#include <limits>
#include <system_error>
#include <utility>

#include <fmt/format.h>

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

Tracer::Tracer(std::filesystem::path path, TraceLevel level, const TraceHeader& header)
    : level_(level), path_(std::move(path)) {
  if (level_ == TraceLevel::off) return;
  if (path_.empty()) throw OutputError("trace: no path given");
  std::error_code ec;
  if (std::filesystem::is_directory(path_, ec))
    throw OutputError(fmt::format("trace: {}: is a folder, not a file", path_.string()));
  const auto parent = path_.parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec)
      throw OutputError(fmt::format("trace: cannot create the folder {}: {}", parent.string(), ec.message()));
  }
  out_.open(partial_path(), std::ios::binary | std::ios::trunc);
  if (!out_)
    throw OutputError(fmt::format("trace: cannot write {}: {}", partial_path().string(),
                                  std::generic_category().message(errno)));
  Json head;
  head["schema"] = "glassbox-trace";
  head["version"] = 1;
  head["program"] = header.program;
  head["chapter"] = header.chapter;
  head["seed"] = header.seed;
  head["trace_level"] = std::string(to_string(level_));
  head["hyperparameters"] = header.hyperparameters;
  if (!header.network.empty()) head["network"] = header.network;
  // The header's closing brace is left off; "events" and "result" follow it.
  std::string text = head.dump();
  text.pop_back();
  out_ << text << ",\n\"events\":[\n";
}

Tracer::~Tracer() {
  if (!finished_) abandon();
}

Tracer::Tracer(Tracer&& other) noexcept
    : level_(other.level_), limit_(other.limit_), run_(std::move(other.run_)), path_(std::move(other.path_)),
      out_(std::move(other.out_)),
      events_(other.events_), finished_(other.finished_) {
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
    out_ = std::move(other.out_);
    events_ = other.events_;
    finished_ = other.finished_;
    other.level_ = TraceLevel::off;
    other.finished_ = true;
  }
  return *this;
}

std::filesystem::path Tracer::partial_path() const {
  auto p = path_;
  p += ".partial";
  return p;
}

void Tracer::record(TraceLevel level, const Json& event) {
  if (!wants(level) || finished_) return;
  if (events_ > 0) out_ << ",\n";
  if (run_.empty() || !event.is_object() || event.contains("run")) {
    out_ << event.dump();
  } else {
    // "event" first, then "run", then the rest in their order.
    Json labelled = Json::object();
    if (event.contains("event")) labelled["event"] = event["event"];
    labelled["run"] = run_;
    for (const auto& [key, value] : event.items())
      if (key != "event") labelled[key] = value;
    out_ << labelled.dump();
  }
  ++events_;
}

void Tracer::finish(const Json& result) {
  if (finished_) return;
  if (level_ == TraceLevel::off) {
    finished_ = true;
    return;
  }
  out_ << (events_ > 0 ? "\n]" : "]");
  if (!result.is_null()) out_ << ",\n\"result\":" << result.dump();
  out_ << "}\n";
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail()) {
    abandon();
    throw OutputError(fmt::format("trace: writing {} failed (is the disk full?)", partial_path().string()));
  }
  std::error_code ec;
  std::filesystem::rename(partial_path(), path_, ec);
  if (ec) {
    abandon();
    throw OutputError(fmt::format("trace: cannot rename {} to {}: {}", partial_path().string(),
                                  path_.string(), ec.message()));
  }
  finished_ = true;
}

void Tracer::abandon() noexcept {
  if (level_ == TraceLevel::off) return;
  if (out_.is_open()) out_.close();
  std::error_code ec;
  std::filesystem::remove(partial_path(), ec);
  finished_ = true;
}

Tracer& Tracer::none() {
  static Tracer silent;
  return silent;
}

}  // namespace glassbox
