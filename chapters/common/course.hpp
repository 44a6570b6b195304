// chapters/common/course.hpp — what every chapter program does the same way.
//
// run_chapter() parses the command line, prints the chapter's purpose, opens the trace, runs the
// chapter's body and finishes the trace, then draws the learning curves of every run that trained by
// epochs beside it (io/training_curves.hpp: traces/chNN_topic.curves.svg); it turns errors into
// messages and exit codes:
//   0  done
//   2  bad usage or bad input (an unknown flag, a bad value, a malformed file): nothing written
//   1  the run failed (a number became NaN or Inf, a write failed): no trace under the final name
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "glassbox/io/cli.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/core/table.hpp"
#include "glassbox/io/trace.hpp"

namespace glassbox::course {

class Context {
public:
  Context(const CommandLine& command_line, Tracer& trace)
      : cli(command_line), tracer(trace), rng(command_line.seed) {}

  const CommandLine& cli;
  Tracer& tracer;
  Rng rng;                        // seeded with --seed
  Json result = Json::object();   // goes into the trace's "result"

  bool quiet() const { return cli.quiet; }

  // Prints to stdout unless --quiet.
  template <typename... Args>
  void print(fmt::format_string<Args...> format, Args&&... args) const {
    if (!cli.quiet) fmt::print(format, std::forward<Args>(args)...);
  }
  // A section heading: a blank line, the title, and a rule under it.
  void heading(const std::string& title) const;
  void print(const Table& table) const;
  // "label   (rows×cols)" and the matrix under it, indented, with `precision` significant digits.
  void print_matrix(const std::string& label, const Matrix& m, int precision = 6) const;
};

// The chapter's main():
//   int main(int argc, char** argv) {
//     glassbox::CommandLine cli({...});
//     cli.option("epochs", epochs, 1, 10000, "…");
//     return glassbox::course::run_chapter(argc, argv, cli, [&](Context& ctx) { … });
//   }
// `network` describes the network for the trace header, when the chapter has one.
int run_chapter(int argc, char** argv, CommandLine& cli, const std::function<void(Context&)>& body,
                const std::string& network = "");

// A file that goes with the trace, named after it: companion_path("traces/ch06_backprop_shallow.json",
// "circles.svg") is traces/ch06_backprop_shallow.circles.svg (a trace path without ".json" keeps
// its whole name: "out" → "out.circles.svg").
std::filesystem::path companion_path(const std::filesystem::path& trace, const std::string& suffix);

// Whether the chapter writes its plots beside the trace (companion_path): not with --trace-level off,
// and not when the trace goes to a character device or a FIFO (--trace /dev/null), where the plot
// would be "/dev/null.sine.svg" in /dev; then it says so, once, and the chapter writes no plots.
bool plots_beside_trace(const Context& ctx);

}  // namespace glassbox::course
