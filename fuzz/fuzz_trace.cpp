// fuzz/fuzz_trace.cpp — the trace writer (io/trace.hpp).
//
// Feeds: a run of tracer calls decoded from the input bytes (FuzzedDataProvider): a header (program,
// chapter, seed, hyperparameters, network), then events recorded at any level, set_run() and
// restrict_to() in between, a move into another Tracer, and last finish() with or without a result,
// or no finish at all. Events hold JSON values of any shape: any Unicode text in keys and strings
// (control characters, quotes, backslashes, NUL; always valid UTF-8), integers of 64 bits with and
// without a sign, and doubles of any bit pattern through to_json() (NaN and ±Inf as strings).
// Expected rejection: none — every call is valid, so every exception is a finding.
// Finding: an exception, a crash, a sanitizer report, a hang; or a trace file that breaks the
// writer's promises — it does not read back as JSON (parse_json_text); its header, events (those
// wanted at their level, "run" labelled after "event"), or result differ from what was recorded;
// a double does not read back to the same bits or an integer to the same value; an event does not
// take one line; or a run without finish() leaves a file behind.
#include <fuzzer/FuzzedDataProvider.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "glassbox/io/spec.hpp"
#include "glassbox/io/trace.hpp"

#include "fuzz.hpp"

using namespace glassbox;

namespace {

// Text of up to `max` characters, valid UTF-8: mostly ASCII (control characters included), some
// code points from anywhere in Unicode but the surrogates.
std::string text(FuzzedDataProvider& in, std::size_t max = 12) {
  std::string s;
  const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, max);
  for (std::size_t i = 0; i < n && in.remaining_bytes() > 0; ++i) {
    char32_t c = in.ConsumeBool() ? in.ConsumeIntegralInRange<char32_t>(0, 0x7F)
                                  : in.ConsumeIntegralInRange<char32_t>(0x80, 0x10FFFF - 0x800);
    if (c >= 0xD800) c += 0x800;  // past the surrogates
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else if (c < 0x800) {
      s += static_cast<char>(0xC0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      s += static_cast<char>(0xE0 | (c >> 12));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (c >> 18));
      s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return s;
}

Json value(FuzzedDataProvider& in, int depth) {
  switch (in.ConsumeIntegralInRange(0, depth > 0 ? 7 : 5)) {
    case 0: return nullptr;
    case 1: return in.ConsumeBool();
    case 2: return in.ConsumeIntegral<std::int64_t>();
    case 3: return in.ConsumeIntegral<std::uint64_t>();
    case 4: return to_json(std::bit_cast<double>(in.ConsumeIntegral<std::uint64_t>()));
    case 5: return text(in);
    case 6: {
      Json a = Json::array();
      const int n = in.ConsumeIntegralInRange(0, 4);
      for (int i = 0; i < n; ++i) a.push_back(value(in, depth - 1));
      return a;
    }
    default: {
      Json o = Json::object();
      const int n = in.ConsumeIntegralInRange(0, 4);
      for (int i = 0; i < n; ++i) o[text(in, 6)] = value(in, depth - 1);
      return o;
    }
  }
}

// An event: mostly {"event": name, fields…}; sometimes one with its own "run", or not an object.
Json event(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: return value(in, 2);
    case 1: {
      Json e = value(in, 0);
      return Json::object({{"run", text(in)}, {"event", e}});
    }
    default: {
      Json e = Json::object();
      e["event"] = text(in);
      const int n = in.ConsumeIntegralInRange(0, 6);
      for (int i = 0; i < n; ++i) e[text(in, 6)] = value(in, 3);
      return e;
    }
  }
}

TraceLevel level(FuzzedDataProvider& in) {
  return static_cast<TraceLevel>(in.ConsumeIntegralInRange(0, 3));
}

// The event as the trace documents it is written: labelled with the run after "event".
Json labelled(const Json& e, const std::string& run) {
  if (run.empty() || !e.is_object() || e.contains("run")) return e;
  Json out = Json::object();
  if (e.contains("event")) out["event"] = e["event"];
  out["run"] = run;
  for (const auto& [key, v] : e.items())
    if (key != "event") out[key] = v;
  return out;
}

// Equal as the trace promises: the same types and keys in the same order, strings byte for byte,
// doubles to the bit, integers by value.
bool same(const Json& a, const Json& b) {
  if (a.is_number_float() || b.is_number_float())
    return a.is_number_float() && b.is_number_float() &&
           std::bit_cast<std::uint64_t>(a.get<double>()) == std::bit_cast<std::uint64_t>(b.get<double>());
  if (a.is_number_integer() && b.is_number_integer()) {
    const bool a_neg = !a.is_number_unsigned() && a.get<std::int64_t>() < 0;
    const bool b_neg = !b.is_number_unsigned() && b.get<std::int64_t>() < 0;
    if (a_neg || b_neg) return a_neg && b_neg && a.get<std::int64_t>() == b.get<std::int64_t>();
    return a.get<std::uint64_t>() == b.get<std::uint64_t>();
  }
  if (a.type() != b.type()) return false;
  if (a.is_array() || a.is_object()) {
    if (a.size() != b.size()) return false;
    auto i = a.items().begin();
    auto j = b.items().begin();
    for (; i != a.items().end(); ++i, ++j)
      if ((a.is_object() && i.key() != j.key()) || !same(i.value(), j.value())) return false;
    return true;
  }
  return a == b;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void run(FuzzedDataProvider& in) {
  const auto path = fuzz::scratch_folder() / "trace.json";
  auto partial = path;
  partial += ".partial";
  TraceHeader header;
  header.program = text(in);
  header.chapter = in.ConsumeIntegral<int>();
  header.seed = in.ConsumeIntegral<std::uint64_t>();
  header.hyperparameters = value(in, 2);
  if (!header.hyperparameters.is_object()) header.hyperparameters = Json::object();
  header.network = text(in);
  const TraceLevel trace_level = level(in);

  std::optional<Tracer> tracer(std::in_place, path, trace_level, header);
  std::vector<Json> expected;
  std::string run_name;
  TraceLevel limit = TraceLevel::full;
  for (int calls = 0; calls < 64 && in.remaining_bytes() > 0; ++calls) {
    switch (in.ConsumeIntegralInRange(0, 9)) {
      case 0:
        run_name = text(in);
        tracer->set_run(run_name);
        break;
      case 1:
        limit = level(in);
        tracer->restrict_to(limit);
        break;
      case 2: {
        Tracer moved(std::move(*tracer));
        tracer.emplace(std::move(moved));
        break;
      }
      default: {
        const TraceLevel at = level(in);
        const Json e = event(in);
        const bool wanted = at != TraceLevel::off && at <= trace_level && at <= limit;
        if (tracer->wants(at) != wanted) fuzz::finding("wants() disagrees with the levels");
        tracer->record(at, e);
        if (wanted) expected.push_back(labelled(e, run_name));
      }
    }
  }
  if (tracer->events_recorded() != (trace_level == TraceLevel::off ? 0 : expected.size()))
    fuzz::finding("events_recorded() is not the number of events wanted");

  const int ending = in.ConsumeIntegralInRange(0, 2);
  if (ending == 0) {  // no finish(): nothing may keep a name
    tracer.reset();
    if (std::filesystem::exists(path) || std::filesystem::exists(partial))
      fuzz::finding("a trace without finish() left a file behind");
    return;
  }
  const Json result = ending == 1 ? Json() : value(in, 3);
  tracer->finish(result);
  tracer.reset();
  if (trace_level == TraceLevel::off) {
    if (std::filesystem::exists(path) || std::filesystem::exists(partial))
      fuzz::finding("a trace at level off wrote a file");
    return;
  }
  if (std::filesystem::exists(partial)) fuzz::finding("finish() left the partial file");

  const std::string written = slurp(path);
  std::filesystem::remove(path);
  Json trace;
  try {
    trace = parse_json_text(written, "trace.json");
  } catch (const std::exception& x) {
    fuzz::finding(std::string("the trace does not read back as JSON: ") + x.what());
  }
  const std::size_t lines = static_cast<std::size_t>(std::count(written.begin(), written.end(), '\n'));
  if (lines != 3 + expected.size() + (result.is_null() ? 0 : 1)) fuzz::finding("an event does not take one line");

  Json head = Json::object();
  head["schema"] = "glassbox-trace";
  head["version"] = 1;
  head["program"] = header.program;
  head["chapter"] = header.chapter;
  head["seed"] = header.seed;
  head["trace_level"] = std::string(to_string(trace_level));
  head["hyperparameters"] = header.hyperparameters;
  if (!header.network.empty()) head["network"] = header.network;
  head["events"] = Json::array();
  for (const Json& e : expected) head["events"].push_back(e);
  if (!result.is_null()) head["result"] = result;
  if (!same(trace, head)) fuzz::finding("the trace read back differs from what was recorded");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  run(in);
  return 0;
}
