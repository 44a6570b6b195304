// Tests for glassbox/io/trace.hpp: the document reads back, numbers round-trip exactly, non-finite
// values survive, writing is atomic, "off" writes nothing, and what is at the path (a link, a
// device, a FIFO, another run's trace, a full disk) is handled as the header says.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "glassbox/io/trace.hpp"
#include "test_files.hpp"

using namespace glassbox;
using glassbox::testing::read_text;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path("trace_test_output") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Json read_json(const fs::path& p) {
  std::ifstream in(p);
  REQUIRE(in);
  return Json::parse(in);
}

TraceHeader header() { return {"test_trace", 0, 42, Json{{"lr", 0.5}, {"epochs", 3}}, "Dense(2→1, sigmoid)"}; }

// The names in a folder, sorted.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("a finished trace is one JSON document with header, events and result", "[trace]") {
  const auto dir = fresh_dir("document");
  Tracer t(dir / "t.json", TraceLevel::full, header());
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 0.25}});
  t.record(TraceLevel::full, Json{{"event", "forward"}, {"z", to_json(Matrix{{1, 2}, {3, 4}})}});
  t.finish(Json{{"accuracy", 1.0}});
  CHECK(t.events_recorded() == 2);

  const Json doc = read_json(dir / "t.json");
  CHECK(doc["schema"] == "glassbox-trace");
  CHECK(doc["version"] == 1);
  CHECK(doc["program"] == "test_trace");
  CHECK(doc["seed"] == 42);
  CHECK(doc["trace_level"] == "full");
  CHECK(doc["hyperparameters"]["lr"] == 0.5);
  CHECK(doc["network"] == "Dense(2→1, sigmoid)");
  REQUIRE(doc["events"].size() == 2);
  CHECK(doc["events"][0]["event"] == "epoch");
  CHECK(matrix_from_json(doc["events"][1]["z"]) == Matrix{{1, 2}, {3, 4}});
  CHECK(doc["result"]["accuracy"] == 1.0);
  CHECK_FALSE(fs::exists(dir / "t.json.partial"));
}

TEST_CASE("events above the trace level are not recorded", "[trace]") {
  const auto dir = fresh_dir("levels");
  Tracer t(dir / "t.json", TraceLevel::step, header());
  CHECK(t.wants(TraceLevel::summary));
  CHECK(t.wants(TraceLevel::step));
  CHECK_FALSE(t.wants(TraceLevel::full));
  CHECK_FALSE(t.wants(TraceLevel::off));
  t.record(TraceLevel::summary, Json{{"event", "a"}});
  t.record(TraceLevel::step, Json{{"event", "b"}});
  t.record(TraceLevel::full, Json{{"event", "c"}});
  t.finish();
  const Json doc = read_json(dir / "t.json");
  REQUIRE(doc["events"].size() == 2);
  CHECK(doc["events"][1]["event"] == "b");
  CHECK_FALSE(doc.contains("result"));
}

TEST_CASE("level off opens no file and records nothing", "[trace]") {
  const auto dir = fresh_dir("off");
  Tracer t(dir / "t.json", TraceLevel::off, header());
  CHECK_FALSE(t.wants(TraceLevel::summary));
  t.record(TraceLevel::summary, Json{{"event", "a"}});
  t.finish();
  CHECK(fs::is_empty(dir));
  CHECK_FALSE(Tracer::none().wants(TraceLevel::summary));
}

TEST_CASE("doubles round-trip bit for bit, in their shortest form", "[trace]") {
  const auto dir = fresh_dir("roundtrip");
  const std::vector<double> values{0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308, -0.0,
                                   0.298371109, 123456789.123456789, std::nextafter(1.0, 2.0)};
  {
    Tracer t(dir / "t.json", TraceLevel::full, header());
    t.record(TraceLevel::full, Json{{"event", "v"}, {"values", to_json(values)}});
    t.finish();
  }
  const Json doc = read_json(dir / "t.json");
  const Json& back = doc["events"][0]["values"];
  REQUIRE(back.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO("value " << i);
    const double x = back[i].get<double>();
    CHECK(std::memcmp(&x, &values[i], sizeof x) == 0);
  }
  // Shortest round-trip form: 0.1 is written as 0.1, not 0.10000000000000001.
  std::ifstream in(dir / "t.json");
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str().find("[0.1,") != std::string::npos);
}

TEST_CASE("an unfinished trace never appears under its final name", "[trace]") {
  const auto dir = fresh_dir("atomic");
  {
    Tracer t(dir / "t.json", TraceLevel::full, header());
    t.record(TraceLevel::full, Json{{"event", "a"}});
    const auto names = names_in(dir);
    REQUIRE(names.size() == 1);
    CHECK(names[0].starts_with("t.json."));
    CHECK(names[0].ends_with(".partial"));
    // destroyed without finish(): as when a run throws
  }
  CHECK(fs::is_empty(dir));
}

TEST_CASE("a failed run keeps the previous trace intact", "[trace]") {
  const auto dir = fresh_dir("keep");
  {
    Tracer t(dir / "t.json", TraceLevel::summary, header());
    t.record(TraceLevel::summary, Json{{"event", "first"}});
    t.finish();
  }
  try {
    Tracer t(dir / "t.json", TraceLevel::summary, header());
    t.record(TraceLevel::summary, Json{{"event", "second"}});
    throw std::runtime_error("training diverged");
  } catch (const std::runtime_error&) {
  }
  CHECK(read_json(dir / "t.json")["events"][0]["event"] == "first");
}

TEST_CASE("an unwritable path throws OutputError naming it", "[trace]") {
  const auto dir = fresh_dir("unwritable");
  std::ofstream(dir / "file") << "x";
  CHECK_THROWS_AS(Tracer(dir / "file" / "t.json", TraceLevel::full, header()), OutputError);
  CHECK_THROWS_WITH(Tracer(dir / "file" / "t.json", TraceLevel::full, header()), Catch::Contains("file"));
  CHECK_THROWS_WITH(Tracer(dir, TraceLevel::full, header()), Catch::Contains("is a folder"));
}

TEST_CASE("missing parent folders are created", "[trace]") {
  const auto dir = fresh_dir("parents");
  Tracer t(dir / "a" / "b" / "t.json", TraceLevel::summary, header());
  t.finish();
  CHECK(fs::exists(dir / "a" / "b" / "t.json"));
}

TEST_CASE("the same events give the same bytes", "[trace]") {
  const auto dir = fresh_dir("bytes");
  for (const char* name : {"a.json", "b.json"}) {
    Tracer t(dir / name, TraceLevel::full, header());
    t.record(TraceLevel::full, Json{{"event", "x"}, {"w", to_json(Matrix{{0.15, 0.2}, {0.25, 0.3}})}});
    t.finish(Json{{"done", true}});
  }
  std::ifstream a(dir / "a.json"), b(dir / "b.json");
  std::stringstream sa, sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  CHECK(sa.str() == sb.str());
}

TEST_CASE("trace levels parse and print", "[trace]") {
  CHECK(parse_trace_level("full") == TraceLevel::full);
  CHECK(parse_trace_level("off") == TraceLevel::off);
  CHECK_FALSE(parse_trace_level("FULL").has_value());
  CHECK(to_string(TraceLevel::step) == "step");
}

TEST_CASE("a run label goes into every event after \"event\", until it is cleared", "[trace]") {
  const auto dir = fresh_dir("run");
  Tracer t(dir / "t.json", TraceLevel::full, header());
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 1}});
  t.set_run("xor");
  CHECK(t.run() == "xor");
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 0.5}});
  t.record(TraceLevel::summary, Json{{"event", "own"}, {"run", "mine"}});
  t.set_run("");
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 0.25}});
  t.finish();
  const Json doc = read_json(dir / "t.json");
  const Json& events = doc["events"];
  REQUIRE(events.size() == 4);
  CHECK_FALSE(events[0].contains("run"));
  CHECK(events[1].dump() == R"({"event":"epoch","run":"xor","loss":0.5})");
  CHECK(events[2]["run"] == "mine");
  CHECK_FALSE(events[3].contains("run"));
}

TEST_CASE("restrict_to lowers the level recorded from then on, and lifting it restores it", "[trace]") {
  const auto dir = fresh_dir("restrict");
  Tracer t(dir / "t.json", TraceLevel::step, header());
  t.record(TraceLevel::step, Json{{"event", "step"}, {"n", 1}});
  t.restrict_to(TraceLevel::summary);
  CHECK_FALSE(t.wants(TraceLevel::step));
  CHECK(t.wants(TraceLevel::summary));
  t.record(TraceLevel::step, Json{{"event", "step"}, {"n", 2}});
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"n", 3}});
  t.restrict_to(TraceLevel::full);
  CHECK_FALSE(t.wants(TraceLevel::full));  // never beyond the trace's own level
  CHECK(t.wants(TraceLevel::step));
  t.record(TraceLevel::step, Json{{"event", "step"}, {"n", 4}});
  t.finish();
  const Json doc = read_json(dir / "t.json");
  CHECK(doc["trace_level"] == "step");
  REQUIRE(doc["events"].size() == 3);
  CHECK(doc["events"][0]["n"] == 1);
  CHECK(doc["events"][1]["n"] == 3);
  CHECK(doc["events"][2]["n"] == 4);
}

TEST_CASE("two tracers writing the same path at once each finish, leaving one whole trace", "[trace]") {
  const auto dir = fresh_dir("concurrent");
  Tracer first(dir / "t.json", TraceLevel::summary, header());
  Tracer second(dir / "t.json", TraceLevel::summary, header());
  for (int i = 0; i < 3; ++i) {
    first.record(TraceLevel::summary, Json{{"event", "first"}, {"i", i}});
    second.record(TraceLevel::summary, Json{{"event", "second"}, {"i", i}});
  }
  CHECK(names_in(dir).size() == 2);  // a partial file each
  first.finish(Json{{"run", "first"}});
  CHECK(read_json(dir / "t.json")["result"]["run"] == "first");
  second.finish(Json{{"run", "second"}});
  CHECK(names_in(dir) == std::vector<std::string>{"t.json"});
  const Json doc = read_json(dir / "t.json");
  CHECK(doc["result"]["run"] == "second");
  REQUIRE(doc["events"].size() == 3);
  for (const auto& event : doc["events"]) CHECK(event["event"] == "second");
}

TEST_CASE("a symbolic link at the trace path is refused, and the link and its file stay as they were", "[trace]") {
  const auto dir = fresh_dir("symlink");
  std::ofstream(dir / "real.json") << "earlier";
  fs::create_symlink("real.json", dir / "t.json");
  CHECK_THROWS_AS(Tracer(dir / "t.json", TraceLevel::summary, header()), OutputError);
  CHECK_THROWS_WITH(Tracer(dir / "t.json", TraceLevel::summary, header()),
                    Catch::Contains("t.json: is a symbolic link (to real.json)"));
  CHECK(fs::is_symlink(dir / "t.json"));
  CHECK(read_text(dir / "real.json") == "earlier");
  // A link to nothing is refused too: renaming over it would replace it.
  fs::create_symlink("nothing.json", dir / "dangling.json");
  CHECK_THROWS_WITH(Tracer(dir / "dangling.json", TraceLevel::summary, header()),
                    Catch::Contains("is a symbolic link"));
  CHECK(fs::is_symlink(dir / "dangling.json"));
  CHECK(names_in(dir) == std::vector<std::string>{"dangling.json", "real.json", "t.json"});
}

TEST_CASE("a FIFO at the trace path is written directly, event by event, and stays a FIFO", "[trace]") {
  const auto dir = fresh_dir("fifo");
  const fs::path pipe = dir / "pipe";
  REQUIRE(::mkfifo(pipe.c_str(), 0600) == 0);
  // The test holds the reading end (O_RDWR, so opening it does not wait for a writer).
  const int reader = ::open(pipe.c_str(), O_RDWR | O_NONBLOCK);
  REQUIRE(reader >= 0);
  const auto drain = [reader] {
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(reader, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
    return text;
  };
  {
    Tracer t(pipe, TraceLevel::summary, header());
    t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 0.5}});
    // Each event reaches the reader as it is recorded.
    CHECK_THAT(drain(), Catch::EndsWith("\"events\":[\n{\"event\":\"epoch\",\"loss\":0.5}"));
    t.finish(Json{{"done", true}});
  }
  CHECK_THAT(drain(), Catch::EndsWith("\"result\":{\"done\":true}}\n"));
  ::close(reader);
  CHECK(fs::is_fifo(fs::symlink_status(pipe)));
  CHECK(names_in(dir) == std::vector<std::string>{"pipe"});
}

TEST_CASE("/dev/null stays a character device when a trace is written to it or abandoned", "[trace]") {
  if (!fs::is_character_file("/dev/null")) return;  // not on this system
  {
    Tracer t("/dev/null", TraceLevel::full, header());
    t.record(TraceLevel::full, Json{{"event", "a"}});
    t.finish();
  }
  {
    Tracer t("/dev/null", TraceLevel::full, header());
    t.record(TraceLevel::full, Json{{"event", "a"}});
    // destroyed without finish(): nothing of /dev/null may be removed
  }
  CHECK(fs::is_character_file(fs::symlink_status("/dev/null")));
  for (const auto& name : names_in("/dev")) CHECK_FALSE(name.starts_with("null."));
}

TEST_CASE("a full disk is reported at once for a device, naming it (/dev/full)", "[trace]") {
  if (!fs::is_character_file("/dev/full")) return;  // Linux only
  CHECK_THROWS_AS(Tracer("/dev/full", TraceLevel::full, header()), OutputError);
  CHECK_THROWS_WITH(Tracer("/dev/full", TraceLevel::full, header()),
                    Catch::Contains("writing /dev/full failed") && Catch::Contains("No space left on device"));
  CHECK(fs::is_character_file(fs::symlink_status("/dev/full")));
}

TEST_CASE("a write that fails stops the trace at that record, within a buffer, and removes its file", "[trace]") {
  const auto dir = fresh_dir("full");
  // A file size limit makes writes beyond it fail (EFBIG), as a full disk does (ENOSPC).
  constexpr rlim_t limit = 256 * 1024;
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = limit;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);

  const Json event{{"event", "step"}, {"values", to_json(std::vector<double>(10, 0.125))}};
  const std::size_t event_bytes = event.dump().size() + 2;
  std::size_t failed_at = 0;
  std::string message;
  {
    Tracer t(dir / "t.json", TraceLevel::full, header());
    try {
      for (std::size_t i = 1; i <= 4 * limit / event_bytes; ++i) {
        failed_at = i;
        t.record(TraceLevel::full, event);
      }
      failed_at = 0;
    } catch (const OutputError& e) {
      message = e.what();
    }
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);

  INFO("failed at record " << failed_at << " of " << event_bytes << " bytes");
  REQUIRE(failed_at > 0);
  CHECK(failed_at * event_bytes > limit - 65536);
  CHECK(failed_at * event_bytes < limit + 2 * 65536);
  CHECK_THAT(message, Catch::Contains("writing " + (dir / "t.json").string() + " failed: File too large"));
  CHECK(fs::is_empty(dir));
}

TEST_CASE("a header that cannot be written as JSON is refused before anything is created", "[trace]") {
  const auto dir = fresh_dir("bad_header");
  TraceHeader bad = header();
  bad.hyperparameters["data"] = "iris\xff.csv";  // not UTF-8
  CHECK_THROWS_AS(Tracer(dir / "sub" / "t.json", TraceLevel::summary, bad), InputError);
  CHECK_THROWS_WITH(Tracer(dir / "sub" / "t.json", TraceLevel::summary, bad),
                    Catch::Contains("t.json: the header cannot be written as JSON") && Catch::Contains("UTF-8"));
  CHECK(fs::is_empty(dir));
}

TEST_CASE("an event or a result that cannot be written as JSON leaves nothing behind", "[trace]") {
  const auto dir = fresh_dir("bad_event");
  {
    Tracer t(dir / "t.json", TraceLevel::summary, header());
    t.record(TraceLevel::summary, Json{{"event", "a"}});
    CHECK_THROWS(t.record(TraceLevel::summary, Json{{"event", "b"}, {"text", "\xff"}}));
    CHECK(t.events_recorded() == 1);
    CHECK_THROWS(t.finish(Json{{"text", "\xff"}}));
  }
  CHECK(fs::is_empty(dir));
}

TEST_CASE("folders made for a trace are removed again when it is abandoned, and folders there before stay", "[trace]") {
  const auto dir = fresh_dir("folders");
  { Tracer t(dir / "a" / "b" / "t.json", TraceLevel::summary, header()); }
  CHECK(fs::is_empty(dir));
  fs::create_directories(dir / "kept");
  { Tracer t(dir / "kept" / "new" / "t.json", TraceLevel::summary, header()); }
  CHECK(names_in(dir) == std::vector<std::string>{"kept"});
  CHECK(fs::is_empty(dir / "kept"));
}

TEST_CASE("a failed run's trace is kept as <name>.failed.json with a failure event, and the good trace stays",
          "[trace]") {
  const fs::path dir = fresh_dir("failed");
  const fs::path path = dir / "run.json";
  {
    std::ofstream earlier(path);
    earlier << "the last good trace\n";
  }
  TraceHeader header{"test", 0, 1, Json::object(), ""};
  Tracer t(path, TraceLevel::summary, header);
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"epoch", 1}});
  t.restrict_to(TraceLevel::off);  // the failure is recorded all the same
  const auto kept = t.finish_failed("non_finite", "epoch 2, step 7: the loss is nan");
  REQUIRE(kept);
  CHECK(*kept == dir / "run.failed.json");
  CHECK(Tracer::failed_path("out") == fs::path("out.failed"));
  std::ifstream earlier(path);
  std::string line;
  std::getline(earlier, line);
  CHECK(line == "the last good trace");
  std::ifstream in(*kept);
  const Json doc = Json::parse(in);
  REQUIRE(doc["events"].size() == 2);
  CHECK(doc["events"][1] == Json{{"event", "failure"}, {"kind", "non_finite"},
                                 {"message", "epoch 2, step 7: the loss is nan"}});
  CHECK(doc["result"]["failed"]["kind"] == "non_finite");
  for (const auto& entry : fs::directory_iterator(dir)) CHECK(entry.path().extension() != ".partial");
  CHECK_FALSE(t.finish_failed("non_finite", "again"));  // finished: nothing more

  Tracer off(dir / "off.json", TraceLevel::off, header);
  CHECK_FALSE(off.finish_failed("divergence", "grew"));
  CHECK_FALSE(fs::exists(dir / "off.failed.json"));
}

TEST_CASE("a trace stops at its size limit, saying how to raise it or record less, and leaves nothing", "[trace]") {
  const fs::path dir = fresh_dir("limit");
  const Json event{{"event", "step"}, {"values", std::vector<double>(50, 0.125)}};  // about 330 bytes
  {
    Tracer t(dir / "sub" / "t.json", TraceLevel::full, header(), 2000);
    CHECK(t.max_bytes() == 2000);
    std::string message;
    try {
      for (int i = 0; i < 100; ++i) t.record(TraceLevel::step, event);
    } catch (const OutputError& e) {
      message = e.what();
    }
    CHECK(message == fmt::format("trace: {}: the trace would pass its limit of 2 kB (2000 bytes) at level full; "
                                 "record less with a lower --trace-level (step or summary; trace.level in a spec), "
                                 "a window of steps traced in full (--trace-steps A:B or --trace-every-epoch; "
                                 "trace.steps or trace.every_epoch in a spec) or fewer epochs, or raise the limit with --trace-max-size SIZE (trace.max_bytes "
                                 "in a spec)",
                                 (dir / "sub" / "t.json").string()));
    CHECK(t.events_recorded() > 0);
    CHECK(t.bytes_written() <= 2000);
    CHECK(t.finished());  // abandoned: later records and finish() do nothing
    t.finish();
  }
  CHECK(names_in(dir).empty());  // no trace, no partial file, and not the folder made for it

  // Below the limit nothing changes; the closing part counts too.
  Tracer fits(dir / "t.json", TraceLevel::summary, header(), 100'000);
  fits.record(TraceLevel::summary, event);
  fits.finish(Json{{"ok", true}});
  CHECK(fs::file_size(dir / "t.json") == fits.bytes_written());
  Tracer tight(dir / "u.json", TraceLevel::summary, header(), fits.bytes_written() - 1);
  tight.record(TraceLevel::summary, event);
  CHECK_THROWS_WITH(tight.finish(Json{{"ok", true}}), Catch::Contains("would pass its limit of"));
  CHECK(names_in(dir) == std::vector<std::string>{"t.json"});
}

TEST_CASE("a trace estimated past its limit is refused before the run, with the estimate", "[trace]") {
  CHECK_NOTHROW(check_trace_estimate("t.json", TraceLevel::full, 999, 1000));
  CHECK_NOTHROW(check_trace_estimate("t.json", TraceLevel::off, 1e15, 1000));
  CHECK_THROWS_AS(check_trace_estimate("t.json", TraceLevel::step, 3.4e9, 1'000'000'000), UsageError);
  CHECK_THROWS_WITH(check_trace_estimate("t.json", TraceLevel::step, 3.4e9, 1'000'000'000),
                    "trace: t.json: at level step this run would write about 3.4 GB, more than the trace's limit of "
                    "1 GB (1000000000 bytes); record less with --trace-level summary (trace.level in a spec) or fewer "
                    "epochs, or raise the limit with --trace-max-size SIZE (trace.max_bytes in a spec)");
}
