// glassbox — experiments written as JSON.
//
// Runs a network someone described in a file — inputs, layers (with explicit initial weights if
// wanted), loss, optimizer, data inline or from a CSV file, epochs, batch size, seed, frozen
// parameters, trace — without writing C++. The spec format is docs/experiment-format.md; examples/
// holds the classic worked example, XOR, two circles, iris from its CSV file and a ReLU kink as specs.
// Uses lib/: glassbox/experiment/experiment.hpp (parsing, checking and running specs) and spec.hpp (JSON
// read with errors that name the path), on top of network, train and gradcheck.
// Run: glassbox run SPEC [--trace PATH] [--trace-level LEVEL] [--seed N] [--quiet] [--save MODEL]
//                       [--data FOLDER] [--trace-steps A:B] [--trace-every-epoch]
//      glassbox evaluate MODEL [DATA] [--mistakes N]   (evaluate.cpp: a saved model's report)
//      glassbox predict MODEL INPUT [-o FILE]          (evaluate.cpp: its predictions for a CSV or IDX file)
//      glassbox gradcheck SPEC [...]
//      glassbox lr-find SPEC [--svg FILE] [--start-lr X] [--end-lr X] [--num-it N] [--seed N]
//      glassbox view TRACE [-o FILE]   (view.cpp: a trace as one HTML page)
//      glassbox diff A B [--rtol R] [--atol A]   (two traces compared event by event, io/trace_diff.hpp)
// Trace: the spec's trace.path, by default traces/<name>.json for run (the training events of
// train.hpp) and traces/<name>.gradcheck.json for gradcheck (one "gradcheck" event), so a gradient
// check never replaces the trace of a run. lr-find writes no trace: it prints the range test's
// suggestions and draws it (--svg, by default traces/<name>.lr_find.svg).
// A run shows a progress line (io/progress.hpp) while each epoch runs when stdout is a terminal; the
// table of epochs is printed either way, so a log gets plain lines only; --quiet prints nothing.
// With --save (or the spec's "save") the trained model is written as its spec with the learned
// numbers (experiment.hpp, "saved models").
// Exit codes: 0 done (gradcheck: passed; diff: the traces agree); 1 the run failed (a NaN or Inf, a
// write), the gradient check did not pass, or the traces differ; 2 a bad command line, spec or
// trace — then nothing is written.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "glassbox/io/cli.hpp"
#include "glassbox/io/progress.hpp"
#include "glassbox/io/trace_diff.hpp"
#include "glassbox/io/training_curves.hpp"
#include "glassbox/experiment/experiment.hpp"
#include "glassbox/core/table.hpp"
#include "glassbox/core/text.hpp"
#include "evaluate.hpp"
#include "view.hpp"

using namespace glassbox;

namespace {

// view (view.cpp), diff, evaluate and predict (evaluate.cpp): dispatched first
const std::vector<std::string> kCommands = {"run", "gradcheck", "lr-find", "view", "diff", "evaluate", "predict"};

// The range test's settings from the command line (lr_finder.hpp).
struct LrFindFlags {
  double start_lr = 1e-7, end_lr = 10;
  std::int64_t num_it = 100;
  std::string svg;  // empty: traces/<name>.lr_find.svg
};

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

// What `glassbox run` takes besides the standard options.
struct RunFlags {
  std::string save;         // --save MODEL
  std::string data;         // --data FOLDER: where the named data set is
  std::string trace_steps;  // --trace-steps A:B
  bool trace_every_epoch = false;
};

// "A:B" with 1 ≤ A ≤ B, both whole numbers. Throws UsageError naming the option.
Json trace_steps(const std::string& text) {
  const auto colon = text.find(':');
  const auto whole = [&](std::string_view part, std::uint64_t& out) {
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && ptr == part.data() + part.size() && !part.empty() && out >= 1;
  };
  std::uint64_t a = 0, b = 0;
  if (colon == std::string::npos || !whole(std::string_view(text).substr(0, colon), a) ||
      !whole(std::string_view(text).substr(colon + 1), b) || b < a)
    throw UsageError(fmt::format("--trace-steps: expected A:B, the first and the last step traced in full (whole "
                                 "numbers, 1 ≤ A ≤ B), got \"{}\"",
                                 text));
  return Json::array({a, b});
}

// --save, --data, --trace-steps and --trace-every-epoch take the place of the spec's "save",
// data.folder (for a named data set), trace.steps and trace.every_epoch; a window of steps without
// --trace-level traces at level full.
void apply_run_overrides(Json& spec, const CommandLine& cli, const RunFlags& flags) {
  if (!spec.is_object()) return;
  if (cli.given("save")) spec["save"] = flags.save;
  if (cli.given("data") && spec.contains("data") && spec["data"].is_object()) spec["data"]["folder"] = flags.data;
  const bool window = cli.given("trace-steps") || flags.trace_every_epoch;
  if (!window) return;
  if (spec.contains("trace") && !spec["trace"].is_object()) return;
  if (cli.given("trace-steps")) spec["trace"]["steps"] = trace_steps(flags.trace_steps);
  if (flags.trace_every_epoch) spec["trace"]["every_epoch"] = true;
  if (!cli.given("trace-level")) spec["trace"]["level"] = "full";
}

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
                             : e.data.source == DataSpec::Source::idx       ? "from " + e.data.idx_images_path.string()
                             : e.data.source == DataSpec::Source::dataset
                                 ? fmt::format("from {} ({})", e.data.dataset, e.data.part)
                                 : std::string("inline");
  out.print("data       {} sample{} {}{}\n", e.data.X.rows(), e.data.X.rows() == 1 ? "" : "s", source,
            e.data.standardize ? ", standardised" : "");
  out.print("schedule   {} epoch{}, batch size {}, {}\n", e.training.epochs, e.training.epochs == 1 ? "" : "s",
            e.training.batch_size == 0 ? std::string("N (full batch)") : std::to_string(e.training.batch_size),
            e.training.shuffle ? "shuffled every epoch" : "in file order");
  if (auto schedule = make_schedule(e))
    out.print("η schedule {}, stepped per {}\n", schedule->describe(), to_string(schedule->unit()));
  if (e.validation) {
    const std::size_t V = e.validation->samples(e.data.X.rows());
    out.print("validation {} of the {} samples held out ({}{})\n", V, e.data.X.rows(), e.validation->describe(),
              e.training.classification && !e.training.multilabel ? ", stratified by class" : "");
  }
  if (const auto& es = e.training.early_stopping)
    out.print("stopping   early: {} (min_delta {}, patience {}{})\n", es->monitor, es->min_delta, es->patience,
              es->restore_best_weights ? ", restoring the best weights" : "");
}

int run(Experiment& e, Tracer& tracer, const Output& out) {
  describe(e, out);
  // On a terminal: the progress line while an epoch runs, cleared before the epoch's row.
  std::optional<Progress> progress;
  if (progress_mode_for(stdout, out.quiet) == ProgressMode::terminal) {
    progress.emplace(std::cout, ProgressMode::terminal, e.training.epochs);
    e.training.on_batch = [&](const BatchStats& b) {
      if (b.batch == 1) progress->start_epoch(b.epoch, b.batches);
      progress->batch(b.batch, b.loss, b.accuracy, b.samples);
    };
  }
  const auto clear_progress = [&] {
    if (progress && progress->redraws() > 0) {
      std::cout << "\r\x1b[K" << std::flush;
    }
  };
  // Every epoch when there are few; otherwise about twenty lines, always the first and the last.
  const std::size_t every = std::max<std::size_t>(1, e.training.epochs / 20);
  out.heading("Epochs");
  const bool classes = e.training.classification, held_out = e.validation.has_value();
  out.print("{:>8}  {:>8}  {:>14}{}{}{}\n", "epoch", "steps", "loss", classes ? "  accuracy" : "",
            held_out ? "        val_loss" : "", held_out && classes ? "  val_accuracy" : "");
  const auto on_epoch = [&](const EpochStats& s) {
    clear_progress();
    const bool stops = s.early_stopping && s.early_stopping->stop;
    if (s.epoch != 1 && s.epoch % every != 0 && s.epoch != e.training.epochs && !stops) return;
    out.print("{:>8}  {:>8}  {:>14.9g}", s.epoch, s.steps, s.loss);
    if (s.accuracy) out.print("  {:>8.4f}", *s.accuracy);
    if (s.val_loss) out.print("  {:>14.9g}", *s.val_loss);
    if (s.val_accuracy) out.print("  {:>12.4f}", *s.val_accuracy);
    out.print("\n");
  };
  RunResult result = run_experiment(e, tracer, on_epoch);
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
  if (e.test) {  // the weights the network ends with, on the samples kept apart
    const Evaluation t = evaluate(result.network, *make_loss(e), test_inputs(e, result), e.test->targets, e.training);
    out.print("test loss {:.9g}", t.loss);
    if (t.accuracy) out.print(", accuracy {:.4f}", *t.accuracy);
    out.print(" ({} samples)\n", e.test->X.rows());
  }
  Json summary = result.to_json();
  tracer.finish(summary);
  // The learning curves beside the trace, read back from its epoch events (not beside a device).
  std::error_code ec;
  const auto target = std::filesystem::status(tracer.path(), ec);
  if (tracer.level() != TraceLevel::off && !std::filesystem::is_character_file(target) &&
      !std::filesystem::is_fifo(target)) {
    const auto curves = curves_path(tracer.path());
    if (write_training_curves(tracer.path(), curves, e.name)) out.print("\ncurves: {}\n", curves.string());
  }
  if (!e.save.empty()) {
    save_model(e, result.network, e.save, result.standardizer ? &*result.standardizer : nullptr);
    out.print("\nmodel: {}\n", e.save);
  }
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

int lr_find(const Experiment& e, const LrFindFlags& flags, const Output& out) {
  describe(e, out);
  const LrFindOptions options{.start_lr = flags.start_lr, .end_lr = flags.end_lr,
                              .num_it = static_cast<std::size_t>(flags.num_it)};
  const LrFindResult result = lr_find_experiment(e, options);
  out.heading("Learning-rate range test");
  out.print("{} iterations from η = {:g} (to {:g} over {}); stopped: {}\n", result.losses.size(), options.start_lr,
            options.end_lr, result.options.num_it,
            result.stopped == "diverged"     ? "the smoothed loss passed 4× its best"
            : result.stopped == "non_finite" ? "the loss stopped being finite"
                                             : "all iterations done");
  if (result.suggestions.empty()) {
    out.print("too few iterations for a suggestion (they are read from iteration {} to the last five)\n",
              result.options.num_it / 10);
  } else {
    Table table({"suggestion", "learning rate", "at η", "smoothed loss", "iteration"});
    for (const LrSuggestion& s : result.suggestions)
      table.add_row({s.name, fmt::format("{:.4g}", s.learning_rate), fmt::format("{:.4g}", s.marked_rate),
                     fmt::format("{:.6g}", s.marked_loss), std::to_string(s.iteration)});
    out.print("{}", table.render());
  }
  const std::filesystem::path svg =
      flags.svg.empty() ? std::filesystem::path("traces") / (e.name + ".lr_find.svg") : std::filesystem::path(flags.svg);
  result.plot(fmt::format("learning-rate range test: {}", e.name)).save(svg);
  out.print("\nplot: {}\n", svg.string());
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

// ---- glassbox diff A B [--rtol R] [--atol A] ------------------------------------------------------

const char* const kDiffHelp =
    "usage: glassbox diff A B [--rtol R] [--atol A] [--quiet]\n\n"
    "Compares two traces event by event and reports the first number that differs beyond the tolerance,\n"
    "with its address (event, kind, run, epoch, step, layer, field, element), both values, the absolute\n"
    "and relative error, and how many differences follow it; fields, event kinds, shapes or lengths\n"
    "that differ are reported too. Two numbers a (in A) and b (in B) agree when |a − b| ≤ atol + rtol·|b|.\n\n"
    "options:\n"
    "  --rtol R    relative tolerance, a number ≥ 0 (default 0)\n"
    "  --atol A    absolute tolerance, a number ≥ 0 (default 0: only equal numbers agree)\n"
    "  --quiet     print nothing; the exit code tells\n"
    "  --help      this text\n\n"
    "exit codes: 0 the traces agree, 1 they differ, 2 a bad command line or a trace that cannot be read\n";

// A tolerance: a finite number ≥ 0, the whole text. Throws UsageError naming the option.
double tolerance(const std::string& option, const char* text) {
  double value = 0;
  const char* end = text + std::strlen(text);
  const auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end || *text == '\0' || !std::isfinite(value) || value < 0)
    throw UsageError(fmt::format("{}: expected a number ≥ 0, got \"{}\"", option, text));
  return value;
}

int diff(int argc, char** argv) {
  std::vector<std::string> files;
  DiffOptions options;
  bool quiet = false;
  try {
    for (int k = 2; k < argc; ++k) {
      const std::string arg = argv[k];
      if (arg == "--help" || arg == "-h") {
        fmt::print("{}", kDiffHelp);
        return 0;
      }
      if (arg == "--quiet") {
        quiet = true;
      } else if (arg == "--rtol" || arg == "--atol" || arg.starts_with("--rtol=") || arg.starts_with("--atol=")) {
        const std::string option = arg.substr(0, 6);
        const char* value = nullptr;
        if (arg.size() > 6) {
          value = argv[k] + 7;
        } else if (k + 1 < argc) {
          value = argv[++k];
        } else {
          throw UsageError(fmt::format("{}: expected a number ≥ 0 after it", option));
        }
        (option == "--rtol" ? options.rtol : options.atol) = tolerance(option, value);
      } else if (arg.starts_with("--")) {
        throw UsageError(fmt::format("unknown option \"{}\"; diff takes --rtol, --atol, --quiet and --help", arg));
      } else {
        files.push_back(arg);
      }
    }
    if (files.size() != 2)
      throw UsageError(fmt::format("diff takes two traces, A and B; got {}", files.size()));
  } catch (const UsageError& e) {
    fmt::print(stderr, "glassbox diff: error: {}\n(glassbox diff --help says more)\n", e.what());
    return 2;
  }
  try {
    const TraceDiff result = diff_traces(files[0], files[1], options);
    if (!quiet) {
      fmt::print("A: {} ({} events)\nB: {} ({} events)\n", files[0], result.events_a, files[1], result.events_b);
      fmt::print("{}", result.report());
    }
    return result.agree() ? 0 : 1;
  } catch (const InputError& e) {
    fmt::print(stderr, "glassbox diff: error: {}\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "glassbox diff: error: out of memory reading a line of the traces\n");
    return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "view") return view_command(argc - 1, argv + 1);
  if (argc > 1 && std::string_view(argv[1]) == "diff") return diff(argc, argv);
  if (argc > 1 && std::string_view(argv[1]) == "evaluate") return evaluate_command(argc - 1, argv + 1);
  if (argc > 1 && std::string_view(argv[1]) == "predict") return predict_command(argc - 1, argv + 1);
  std::string command, spec_path;
  CommandLine cli({.name = "glassbox",
                   .chapter = 0,
                   .title = "experiments written as JSON",
                   .purpose = "Trains the network a spec file describes, or checks its gradients; the format is\n"
                              "docs/experiment-format.md, examples/ has specs to start from.\n\n"
                              "commands:\n"
                              "  run          train as the spec says; the trace records the training loop's events\n"
                              "  gradcheck    compare backpropagation with finite differences at the initial\n"
                              "               weights (exit 0 if the check passes, 1 if not)\n"
                              "  lr-find      the learning-rate range test: the rate rises from --start-lr to --end-lr\n"
                              "               over --num-it batches; prints the suggested rates and draws the loss\n"
                              "               against the rate (--svg); writes no trace\n"
                              "  view         glassbox view TRACE [-o FILE]: the trace as one HTML page (view --help)\n"
                              "  diff A B     compare two traces event by event (glassbox diff --help)\n"
                              "  evaluate     glassbox evaluate MODEL [DATA]: a saved model's accuracy, per-class\n"
                              "               precision, recall and F1, confusion matrix and most confident mistakes\n"
                              "  predict      glassbox predict MODEL INPUT [-o FILE]: its predictions for the samples\n"
                              "               of a CSV or IDX file",
                   .default_trace_level = TraceLevel::summary});
  LrFindFlags lr_flags;
  cli.positional("COMMAND", command, "run, gradcheck or lr-find");
  cli.positional("SPEC", spec_path, "the experiment: a JSON file");
  cli.option("svg", lr_flags.svg, {}, "lr-find: where to draw the plot (default traces/<name>.lr_find.svg)", "FILE");
  cli.option("start-lr", lr_flags.start_lr, 1e-12, 1e3, "lr-find: the first learning rate (default 1e-7)");
  cli.option("end-lr", lr_flags.end_lr, 1e-12, 1e6, "lr-find: the rate the test rises towards (default 10)");
  cli.option("num-it", lr_flags.num_it, 6, 100000, "lr-find: the number of mini-batches (default 100)");
  RunFlags run_flags;
  cli.option("save", run_flags.save, {}, "run: where to write the trained model, in place of the spec's \"save\"",
             "MODEL");
  cli.option("data", run_flags.data, {},
             "the folder of a named data set (data.dataset), in place of the spec's data.folder", "FOLDER");
  cli.option("trace-steps", run_flags.trace_steps, {},
             "run: trace steps A to B (from 1) at level full and the others at summary (trace.steps)", "A:B");
  cli.flag("trace-every-epoch", run_flags.trace_every_epoch,
           "run: trace each epoch's first step at level full, the others at summary (trace.every_epoch)");
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
    if (command == "lr-find" && !(lr_flags.end_lr > lr_flags.start_lr))
      throw UsageError(fmt::format("--end-lr {} must be above --start-lr {}", lr_flags.end_lr, lr_flags.start_lr));
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
    apply_run_overrides(spec, cli, run_flags);
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
  if (command == "lr-find") {
    try {
      return lr_find(experiment, lr_flags, out);
    } catch (const std::bad_alloc&) {
      std::fflush(stdout);
      fmt::print(stderr, "glassbox: error: {}: out of memory during the range test\n", spec_path);
      return 1;
    } catch (const std::exception& e) {
      std::fflush(stdout);
      fmt::print(stderr, "glassbox: error: {}\n", e.what());
      return 1;
    }
  }
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
