// glassbox/io/cli.hpp — the command line every glassbox program shares.
//
// Every program takes --help, --seed N, --trace PATH, --trace-level LEVEL, --trace-max-size SIZE
// (core/bytes.hpp's sizes: 500M, 2G), --threads N (core/kernel.hpp's set_threads) and --quiet, plus
// options of its own declared with option(). parse() checks every value against what the option allows and
// throws UsageError naming the option, the value and what is allowed; nothing is printed here (the
// program decides what to print and exits with code 2).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/core/error.hpp"
#include "glassbox/io/trace.hpp"

namespace glassbox {

struct ProgramInfo {
  std::string name;     // "ch01_mcculloch_pitts": the program, and the default trace's file name
  int chapter = 0;      // 0 for programs outside the course
  std::string title;    // "McCulloch–Pitts neurons"
  std::string purpose;  // a few lines: what the program shows
  TraceLevel default_trace_level = TraceLevel::full;
};

class CommandLine {
public:
  explicit CommandLine(ProgramInfo info);

  // Program-specific options. The target holds the default until parse() sets it.
  CommandLine& option(std::string name, std::int64_t& target, std::int64_t min, std::int64_t max,
                      std::string help);
  CommandLine& option(std::string name, double& target, double min, double max, std::string help);
  // A word from `choices`; with no choices, any non-empty text that is valid UTF-8, since the trace
  // records it as JSON text (metavar names it in the help).
  CommandLine& option(std::string name, std::string& target, std::vector<std::string> choices,
                      std::string help, std::string metavar = "TEXT");
  CommandLine& flag(std::string name, bool& target, std::string help);
  // A required positional argument (e.g. the experiment file).
  CommandLine& positional(std::string name, std::string& target, std::string help);
  // Replaces an option's help text (e.g. a standard option whose default comes from elsewhere).
  CommandLine& set_help(std::string_view option, std::string help);

  // Returns false when --help was given: print help() and exit 0. Throws UsageError.
  bool parse(int argc, const char* const* argv);
  std::string help() const;

  // The program's own options with their values, for the trace header.
  Json hyperparameters() const;
  // Whether the last parse() saw the option (given as "seed", "--seed" or "trace-level"), so a
  // program can tell an option given on the command line from its default.
  bool given(std::string_view option) const;

  const ProgramInfo& info() const noexcept { return info_; }
  std::uint64_t seed = 1;
  std::filesystem::path trace_path;
  TraceLevel trace_level = TraceLevel::full;
  std::uint64_t trace_max_bytes = kDefaultTraceMaxBytes;  // the Tracer's limit
  bool quiet = false;

private:
  struct Option {
    std::string name;     // with the leading "--"
    std::string metavar;  // empty for a flag
    std::string help;
    std::string allowed;  // "a whole number from 1 to 1000", for messages
    bool standard = false;  // one of the options every program has
    std::function<void(const std::string&)> set;  // throws UsageError: empty, or the reason
    std::function<Json()> value;
  };
  struct Positional {
    std::string name, help;
    std::string* target;
  };
  Option* find(const std::string& name);
  CommandLine& add(Option option);

  ProgramInfo info_;
  std::vector<Option> options_;
  std::vector<Positional> positionals_;
  std::vector<std::string> given_;  // options seen by parse(), with the leading "--"
};

}  // namespace glassbox
