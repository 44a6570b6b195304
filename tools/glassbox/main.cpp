// glassbox — experiments written as JSON.
//
// Runs a network someone described in a file — inputs, layers (with explicit initial weights if
// wanted), loss, optimizer, data inline or from a CSV file, epochs, batch size, seed, frozen
// parameters, trace — without writing C++. The spec format is docs/experiment-format.md; examples/
// holds the classic worked example, XOR, two circles, iris from its CSV file and a ReLU kink as specs.
// Uses lib/: glassbox/experiment/experiment.hpp (parsing, checking and running specs) and spec.hpp (JSON
// read with errors that name the path), on top of network, train and gradcheck.
// Run: glassbox run SPEC [--trace PATH] [--trace-level LEVEL] [--seed N] [--quiet]
//      glassbox gradcheck SPEC [...]
// Trace: the spec's trace.path, by default traces/<name>.json for run (the training events of
// train.hpp) and traces/<name>.gradcheck.json for gradcheck (one "gradcheck" event), so a gradient
// check never replaces the trace of a run.
// Exit codes: 0 done (gradcheck: passed); 1 the run failed (a NaN or Inf, a write) or the gradient
// check did not pass; 2 a bad command line or spec — then nothing is written.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "glassbox/io/cli.hpp"
#include "glassbox/experiment/experiment.hpp"
#include "glassbox/core/table.hpp"
#include "glassbox/core/text.hpp"

using namespace glassbox;

namespace {

const std::vector<std::string> kCommands = {"run", "gradcheck"};

struct Output {
  bool quiet = false;
  template <typename... Args>
  void print(fmt::format_string<Args...> format, Args&&... args) const {
    if (!quiet) fmt::print(format, std::forward<Args>(args)...);
  }
  void heading(const std::string& title) const {
    if (quiet) return;
    std::string rule;
    for (std::size_t i = 0; i < display_width(title); ++i) rule += "─";
    fmt::print("\n{}\n{}\n", title, rule);
  }
};

// The command line's --seed, --trace, --trace-level and --trace-max-size take the place of the spec's.
void apply_overrides(Json& spec, const CommandLine& cli) {
  if (!spec.is_object()) return;  // parse_experiment reports it
  if (cli.given("seed")) spec["seed"] = cli.seed;
  if (!cli.given("trace") && !cli.given("trace-level") && !cli.given("trace-max-size")) return;
  if (spec.contains("trace") && !spec["trace"].is_object()) return;
  if (cli.given("trace")) spec["trace"]["path"] = cli.trace_path.string();
  if (cli.given("trace-level")) spec["trace"]["level"] = std::string(to_string(cli.trace_level));
  if (cli.given("trace-max-size")) spec["trace"]["max_bytes"] = cli.trace_max_bytes;
}

void describe(const Experiment& e, const Output& out) {
  Rng rng = e.rng_at_start;
  const Network net = build_network(e, rng);
  out.print("experiment {} ({}), seed {}\n", e.name, e.source, e.seed);
  if (!e.description.empty()) out.print("{}\n", e.description);
  out.heading("Network");
  if (!out.quiet) fmt::print("{}", net.summary().render());
  if (!e.frozen.empty()) out.print("frozen: {}\n", fmt::join(e.frozen, ", "));
  out.heading("Training");
  out.print("loss       {}\n", make_loss(e)->describe());
  out.print("optimizer  {}\n", make_optimizer(e)->describe());
  const std::string source = e.data.source == DataSpec::Source::csv         ? "from " + e.data.csv_path.string()
                             : e.data.source == DataSpec::Source::generator ? "from " + e.data.generator
                                                                              : std::string("inline");
  out.print("data       {} sample{} {}{}\n", e.data.X.rows(), e.data.X.rows() == 1 ? "" : "s", source,
            e.data.standardize ? ", standardised" : "");
  out.print("schedule   {} epoch{}, batch size {}, {}\n", e.training.epochs, e.training.epochs == 1 ? "" : "s",
            e.training.batch_size == 0 ? std::string("N (full batch)") : std::to_string(e.training.batch_size),
            e.training.shuffle ? "shuffled every epoch" : "in file order");
  if (e.validation) {
    const std::size_t V = e.validation->samples(e.data.X.rows());
    out.print("validation {} of the {} samples held out ({}{})\n", V, e.data.X.rows(), e.validation->describe(),
              e.training.classification && !e.training.multilabel ? ", stratified by class" : "");
  }
  if (const auto& es = e.training.early_stopping)
    out.print("stopping   early: {} (min_delta {}, patience {}{})\n", es->monitor, es->min_delta, es->patience,
              es->restore_best_weights ? ", restoring the best weights" : "");
}

int run(const Experiment& e, Tracer& tracer, const Output& out) {
  describe(e, out);
  // Every epoch when there are few; otherwise about twenty lines, always the first and the last.
  const std::size_t every = std::max<std::size_t>(1, e.training.epochs / 20);
  out.heading("Epochs");
  const bool classes = e.training.classification, held_out = e.validation.has_value();
  out.print("{:>8}  {:>8}  {:>14}{}{}{}\n", "epoch", "steps", "loss", classes ? "  accuracy" : "",
            held_out ? "        val_loss" : "", held_out && classes ? "  val_accuracy" : "");
  const auto on_epoch = [&](const EpochStats& s) {
    const bool stops = s.early_stopping && s.early_stopping->stop;
    if (s.epoch != 1 && s.epoch % every != 0 && s.epoch != e.training.epochs && !stops) return;
    out.print("{:>8}  {:>8}  {:>14.9g}", s.epoch, s.steps, s.loss);
    if (s.accuracy) out.print("  {:>8.4f}", *s.accuracy);
    if (s.val_loss) out.print("  {:>14.9g}", *s.val_loss);
    if (s.val_accuracy) out.print("  {:>12.4f}", *s.val_accuracy);
    out.print("\n");
  };
  const RunResult result = run_experiment(e, tracer, on_epoch);
  const EpochStats& final = result.final_epoch();
  if (const auto& es = result.history.back().early_stopping) {
    if (es->stop)
      out.print("\nstopped early after epoch {}: no improvement in {} for {} epochs; the best was epoch {}\n",
                result.history.back().epoch, e.training.early_stopping->monitor, es->wait, es->best_epoch);
    if (es->restored_epoch) out.print("restored the weights of epoch {}\n", *es->restored_epoch);
  }
  out.print("\nloss {:.9g} → {:.9g}{}\n", result.initial_loss, final.loss,
            held_out ? " (on the training samples)" : "");
  if (final.val_loss) out.print("validation loss {:.9g}", *final.val_loss);
  if (final.val_accuracy) out.print(", accuracy {:.4f}", *final.val_accuracy);
  if (final.val_loss) out.print("\n");
  Json summary = result.to_json();
  tracer.finish(summary);
  return 0;
}

int gradcheck(const Experiment& e, Tracer& tracer, const Output& out) {
  describe(e, out);
  const GradCheckReport report = gradcheck_experiment(e, tracer);
  // Every element when they fit on a screen; otherwise only those that are not good.
  const bool all = report.elements.size() <= 40;
  out.heading(all ? "Gradient check" : "Gradient check: the elements that are not good");
  const Table table = report.table(!all);
  if (table.rows() > 0) out.print("{}", table.render());
  out.print("{}\n", report.summary());
  tracer.finish(Json{{"verdict", std::string(to_string(report.verdict))}, {"passed", report.passed()}});
  if (!report.passed()) {
    std::fflush(stdout);
    fmt::print(stderr, "glassbox: gradcheck did not pass: {}\n", report.summary());
    return 1;
  }
  return 0;
}

// A run whose numbers broke: the message, and the trace kept as the record of where (exit code 1).
int failed_run(Tracer& tracer, std::string_view kind, const char* message) {
  std::fflush(stdout);
  fmt::print(stderr, "glassbox: error: {}\n", message);
  if (auto kept = tracer.finish_failed(kind, message))
    fmt::print(stderr, "glassbox: the trace of the failed run is {}\n", kept->string());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command, spec_path;
  CommandLine cli({.name = "glassbox",
                   .chapter = 0,
                   .title = "experiments written as JSON",
                   .purpose = "Trains the network a spec file describes, or checks its gradients; the format is\n"
                              "docs/experiment-format.md, examples/ has specs to start from.\n\n"
                              "commands:\n"
                              "  run          train as the spec says; the trace records the training loop's events\n"
                              "  gradcheck    compare backpropagation with finite differences at the initial\n"
                              "               weights (exit 0 if the check passes, 1 if not)",
                   .default_trace_level = TraceLevel::summary});
  cli.positional("COMMAND", command, "run or gradcheck");
  cli.positional("SPEC", spec_path, "the experiment: a JSON file");
  cli.set_help("seed", "seed of the random generator, in place of the spec's \"seed\"");
  cli.set_help("trace", "where to write the trace, in place of the spec's trace.path (default traces/<name>.json,\n"
                        "                           for gradcheck traces/<name>.gradcheck.json)");
  cli.set_help("trace-level", "off, summary, step or full, in place of the spec's trace.level (default summary)");
  cli.set_help("trace-max-size", "the most the trace may hold (500M, 2G), in place of the spec's trace.max_bytes "
                                 "(default 1 GB)");

  try {
    if (!cli.parse(argc, argv)) {
      fmt::print("{}", cli.help());
      return 0;
    }
    if (std::find(kCommands.begin(), kCommands.end(), command) == kCommands.end()) {
      std::string message = fmt::format("unknown command \"{}\"", command);
      if (auto best = did_you_mean(command, kCommands)) message += fmt::format(" (did you mean \"{}\"?)", *best);
      throw UsageError(fmt::format("{}; the commands are {}", message, fmt::join(kCommands, ", ")));
    }
  } catch (const UsageError& e) {
    fmt::print(stderr, "glassbox: error: {}\n", e.what());
    return 2;
  }

  // Everything about the spec is checked, and the data read, before anything is written.
  Experiment experiment;
  try {
    Json spec = read_json_file(spec_path);
    apply_overrides(spec, cli);
    experiment = parse_experiment(spec, spec_path);
    if (command == "run") check_trace_estimate(experiment);  // a trace that cannot fit: refused now
  } catch (const UsageError& e) {
    fmt::print(stderr, "glassbox: error: {}: {}\n", spec_path, e.what());
    return 2;
  } catch (const SpecError& e) {
    fmt::print(stderr, "glassbox: error: {}: {}\n", spec_path, e.what());
    return 2;
  } catch (const InputError& e) {
    fmt::print(stderr, "glassbox: error: {}\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "glassbox: error: {}: out of memory while reading the spec and its data\n", spec_path);
    return 1;
  }

  const Output out{cli.quiet};
  try {
    Tracer tracer(experiment.trace_path(command), experiment.trace.level, trace_header(experiment, "glassbox"),
                  experiment.trace.max_bytes);
    int status = 0;
    try {
      status = command == "run" ? run(experiment, tracer, out) : gradcheck(experiment, tracer, out);
    } catch (const NonFiniteError& e) {
      return failed_run(tracer, "non_finite", e.what());
    } catch (const DivergenceError& e) {
      return failed_run(tracer, "divergence", e.what());
    }
    if (tracer.level() != TraceLevel::off)
      out.print("\ntrace: {} ({} event{}, level {})\n", tracer.path().string(), tracer.events_recorded(),
                tracer.events_recorded() == 1 ? "" : "s", to_string(tracer.level()));
    return status;
  } catch (const std::bad_alloc&) {
    std::fflush(stdout);
    fmt::print(stderr, "glassbox: error: {}: out of memory while {}\n", spec_path,
               command == "run" ? "training" : "checking the gradients");
    return 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "glassbox: error: {}\n", e.what());
    return 1;
  }
}
