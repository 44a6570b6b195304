// Tests for glassbox/io/cli.hpp: values are checked and errors say what is allowed.
#include <catch2/catch.hpp>

#include <vector>

#include <fmt/format.h>

#include "glassbox/core/kernel.hpp"
#include "glassbox/io/cli.hpp"

using namespace glassbox;

namespace {

struct Args {
  std::vector<std::string> words;
  std::vector<const char*> argv;
  explicit Args(std::initializer_list<const char*> list) {
    words.push_back("prog");
    for (const char* w : list) words.push_back(w);
    for (const auto& w : words) argv.push_back(w.c_str());
  }
  int argc() const { return static_cast<int>(argv.size()); }
};

ProgramInfo info() { return {"ch99_test", 99, "A test", "Tests the command line.", TraceLevel::step}; }

}  // namespace

TEST_CASE("defaults hold without arguments", "[cli]") {
  CommandLine cli(info());
  Args a{};
  REQUIRE(cli.parse(a.argc(), a.argv.data()));
  CHECK(cli.seed == 1);
  CHECK(cli.trace_path == std::filesystem::path("traces/ch99_test.json"));
  CHECK(cli.trace_level == TraceLevel::step);
  CHECK(cli.trace_max_bytes == kDefaultTraceMaxBytes);
  CHECK_FALSE(cli.quiet);
}

TEST_CASE("the option --trace-max-size takes a size in bytes: K M G T (powers of 1000) or Ki Mi Gi Ti", "[cli]") {
  auto parse = [](std::initializer_list<const char*> words) {
    CommandLine cli(info());
    Args a(words);
    REQUIRE(cli.parse(a.argc(), a.argv.data()));
    CHECK(cli.given("trace-max-size"));
    CHECK_FALSE(cli.hyperparameters().contains("trace-max-size"));  // it changes no number of the trace
    return cli.trace_max_bytes;
  };
  CHECK(parse({"--trace-max-size", "500M"}) == 500'000'000);
  CHECK(parse({"--trace-max-size=2G"}) == 2'000'000'000);
  CHECK(parse({"--trace-max-size", "64Ki"}) == 65'536);
  CHECK(parse({"--trace-max-size", "12345"}) == 12'345);
  for (const char* bad : {"0", "-1", "1.5G", "lots", "2X"}) {
    CommandLine cli(info());
    Args a{"--trace-max-size", bad};
    CHECK_THROWS_WITH(cli.parse(a.argc(), a.argv.data()),
                      fmt::format("--trace-max-size: \"{}\" is not allowed; expected a size in bytes, like 500M or "
                                  "2G (K, M, G, T: powers of 1000; Ki, Mi, Gi, Ti: of 1024)",
                                  bad));
  }
}

TEST_CASE("the option --threads sets the kernel's thread count, from 1 to 256, and no number of the trace", "[cli]") {
  {
    CommandLine cli(info());
    Args a{"--threads", "3"};
    REQUIRE(cli.parse(a.argc(), a.argv.data()));
    CHECK(kernel::threads() == 3);
    CHECK_FALSE(cli.hyperparameters().contains("threads"));  // the bits do not depend on it
  }
  for (const char* bad : {"0", "-2", "257", "two", "1.5", ""}) {
    CommandLine cli(info());
    Args a{"--threads", bad};
    CHECK_THROWS_WITH(cli.parse(a.argc(), a.argv.data()),
                      fmt::format("--threads: \"{}\" is not allowed; expected a whole number from 1 to 256", bad));
  }
  CHECK(kernel::threads() == 3);  // a refused value changes nothing
}

TEST_CASE("standard and program options parse, with = or a separate value", "[cli]") {
  CommandLine cli(info());
  std::int64_t epochs = 10;
  double lr = 0.1;
  std::string act = "relu";
  bool verbose = false;
  cli.option("epochs", epochs, 1, 1000, "epochs")
      .option("lr", lr, 0.0, 10.0, "learning rate")
      .option("activation", act, {"relu", "tanh"}, "activation")
      .flag("verbose", verbose, "more output");
  Args a{"--seed", "99", "--trace=out/x.json", "--trace-level", "full", "--quiet", "--epochs=25", "--lr",
         "0.5", "--activation", "tanh", "--verbose"};
  REQUIRE(cli.parse(a.argc(), a.argv.data()));
  CHECK(cli.seed == 99);
  CHECK(cli.trace_path == std::filesystem::path("out/x.json"));
  CHECK(cli.trace_level == TraceLevel::full);
  CHECK(cli.quiet);
  CHECK(epochs == 25);
  CHECK(lr == 0.5);
  CHECK(act == "tanh");
  CHECK(verbose);
  const Json h = cli.hyperparameters();
  CHECK(h["epochs"] == 25);
  CHECK(h["lr"] == 0.5);
  CHECK(h["activation"] == "tanh");
  CHECK_FALSE(h.contains("seed"));  // the seed has its own place in the trace header
}

TEST_CASE("bad values are refused with what is allowed", "[cli]") {
  std::int64_t epochs = 10;
  double lr = 0.1;
  std::string act = "relu";
  auto parse = [&](std::initializer_list<const char*> words) {
    CommandLine cli(info());
    cli.option("epochs", epochs, 1, 1000, "epochs").option("lr", lr, 0.0, 10.0, "lr").option("activation", act, {"relu", "tanh"}, "act");
    Args a(words);
    return cli.parse(a.argc(), a.argv.data());
  };
  CHECK_THROWS_WITH(parse({"--epochs", "0"}), "--epochs: \"0\" is not allowed; expected a whole number from 1 to 1000");
  CHECK_THROWS_WITH(parse({"--epochs", "5x"}), Catch::Contains("a whole number from 1 to 1000"));
  CHECK_THROWS_WITH(parse({"--lr", "nan"}), "--lr: \"nan\" is not allowed; expected a number from 0 to 10");
  CHECK_THROWS_WITH(parse({"--lr", "-1"}), Catch::Contains("--lr"));
  CHECK_THROWS_WITH(parse({"--activation", "rleu"}), "--activation: \"rleu\" is not allowed; expected one of relu, tanh");
  CHECK_THROWS_WITH(parse({"--seed", "18446744073709551616"}), Catch::Contains("--seed"));
  CHECK_THROWS_WITH(parse({"--trace-level", "all"}), Catch::Contains("one of off, summary, step, full"));
  CHECK_THROWS_WITH(parse({"--epochs"}), "--epochs needs a value: a whole number from 1 to 1000");
  CHECK_THROWS_WITH(parse({"--quiet=yes"}), "--quiet takes no value");
  CHECK_THROWS_WITH(parse({"--epoch", "3"}), Catch::Contains("unknown option --epoch (did you mean --epochs?)"));
  CHECK_THROWS_WITH(parse({"--zzzzzzzz"}), Catch::Contains("the options are --help, --seed"));
  CHECK_THROWS_WITH(parse({"extra"}), Catch::Contains("unexpected argument \"extra\""));
  CHECK_THROWS_AS(parse({"--epochs", "0"}), UsageError);
}

TEST_CASE("--help stops parsing and the help lists every option", "[cli]") {
  CommandLine cli(info());
  std::int64_t epochs = 10;
  cli.option("epochs", epochs, 1, 1000, "how many epochs");
  Args a{"--help", "--bogus"};
  CHECK_FALSE(cli.parse(a.argc(), a.argv.data()));
  const std::string help = cli.help();
  CHECK_THAT(help, Catch::Contains("chapter 99: A test"));
  CHECK_THAT(help, Catch::Contains("--epochs N"));
  CHECK_THAT(help, Catch::Contains("how many epochs (default 10)"));
  CHECK_THAT(help, Catch::Contains("--trace-level LEVEL"));
}

TEST_CASE("positional arguments are required and filled in order", "[cli]") {
  std::string file;
  {
    CommandLine cli(info());
    cli.positional("SPEC", file, "the experiment");
    Args a{"exp.json", "--seed", "3"};
    REQUIRE(cli.parse(a.argc(), a.argv.data()));
    CHECK(file == "exp.json");
  }
  CommandLine cli(info());
  cli.positional("SPEC", file, "the experiment");
  Args a{"--seed", "3"};
  CHECK_THROWS_WITH(cli.parse(a.argc(), a.argv.data()), Catch::Contains("missing SPEC"));
}

TEST_CASE("given() tells an option on the command line from its default", "[cli]") {
  CommandLine cli(info());
  Args a{"--seed", "1", "--trace-level=off"};
  REQUIRE(cli.parse(a.argc(), a.argv.data()));
  CHECK(cli.given("seed"));  // given, even though 1 is also the default
  CHECK(cli.given("--trace-level"));
  CHECK_FALSE(cli.given("trace"));
  CHECK_FALSE(cli.given("quiet"));
  Args b{};
  REQUIRE(cli.parse(b.argc(), b.argv.data()));
  CHECK_FALSE(cli.given("seed"));  // each parse starts afresh
}

TEST_CASE("set_help() replaces an option's help text", "[cli]") {
  CommandLine cli(info());
  cli.set_help("trace", "where the trace goes (default: the spec's)");
  CHECK_THAT(cli.help(), Catch::Contains("where the trace goes (default: the spec's)"));
  CHECK_THAT(cli.help(), !Catch::Contains("default traces/ch99_test.json"));
  CHECK_THROWS_AS(cli.set_help("no-such-option", "x"), std::invalid_argument);
}

TEST_CASE("a text value that is not UTF-8 is refused naming the option, since the trace records it", "[cli]") {
  std::string data = "iris.csv";
  CommandLine cli(info());
  cli.option("data", data, {}, "the data", "PATH");
  Args bad{"--data", "iris\xff.csv"};
  CHECK_THROWS_AS(cli.parse(bad.argc(), bad.argv.data()), UsageError);
  CHECK_THROWS_WITH(cli.parse(bad.argc(), bad.argv.data()),
                    "--data: the value is not valid UTF-8 (byte 5 is 0xFF); the trace records it as JSON text, "
                    "which must be UTF-8");
  CHECK(data == "iris.csv");
  Args good{"--data", "données/íris.csv"};
  REQUIRE(cli.parse(good.argc(), good.argv.data()));
  CHECK(cli.hyperparameters().dump() == R"({"data":"données/íris.csv"})");
}
