// chapters/common/course.cpp
#include "course.hpp"

#include <cstdio>
#include <exception>
#include <new>

#include "glassbox/core/error.hpp"
#include "glassbox/core/text.hpp"
#include "glassbox/io/training_curves.hpp"

namespace glassbox::course {

void Context::heading(const std::string& title) const {
  if (cli.quiet) return;
  std::string rule;
  for (std::size_t i = 0; i < display_width(title); ++i) rule += "─";
  fmt::print("\n{}\n{}\n", title, rule);
}

void Context::print(const Table& table) const {
  if (!cli.quiet) fmt::print("{}", table.render());
}

void Context::print_matrix(const std::string& label, const Matrix& m, int precision) const {
  if (cli.quiet) return;
  std::string text = to_string(m, precision);
  std::string indented = "    ";
  for (char c : text) {
    indented += c;
    if (c == '\n') indented += "    ";
  }
  fmt::print("{}   {}\n{}\n", label, m.shape(), indented);
}

namespace {

// Whether the trace was written to a file, beside which plots can go: not with --trace-level off,
// and not to a character device or a FIFO (--trace /dev/null).
bool trace_is_a_file(const Tracer& tracer) {
  if (tracer.level() == TraceLevel::off) return false;
  std::error_code ec;
  const std::filesystem::file_status target = std::filesystem::status(tracer.path(), ec);
  return !std::filesystem::is_character_file(target) && !std::filesystem::is_fifo(target);
}

// A run whose numbers broke: the message, and the trace kept as the record of where (exit code 1).
int failed_run(const std::string& name, Tracer& tracer, std::string_view kind, const char* message) {
  std::fflush(stdout);
  fmt::print(stderr, "{}: error: {}\n", name, message);
  if (auto kept = tracer.finish_failed(kind, message))
    fmt::print(stderr, "{}: the trace of the failed run is {}\n", name, kept->string());
  return 1;
}

}  // namespace

int run_chapter(int argc, char** argv, CommandLine& cli, const std::function<void(Context&)>& body,
                const std::string& network) {
  const std::string& name = cli.info().name;
  try {
    if (!cli.parse(argc, argv)) {
      fmt::print("{}", cli.help());
      return 0;
    }
  } catch (const UsageError& e) {
    fmt::print(stderr, "{}: error: {}\n", name, e.what());
    return 2;
  }

  try {
    Tracer tracer(cli.trace_path, cli.trace_level,
                  TraceHeader{name, cli.info().chapter, cli.seed, cli.hyperparameters(), network},
                  cli.trace_max_bytes);
    if (!cli.quiet) {
      const auto& info = cli.info();
      const std::string title =
          info.chapter > 0 ? fmt::format("Chapter {:02} — {}", info.chapter, info.title) : info.title;
      std::string rule;
      for (std::size_t i = 0; i < display_width(title); ++i) rule += "═";
      fmt::print("{}\n{}\n{}\n", title, rule, info.purpose);
    }
    Context ctx(cli, tracer);
    try {
      body(ctx);
    } catch (const NonFiniteError& e) {
      return failed_run(name, tracer, "non_finite", e.what());
    } catch (const DivergenceError& e) {
      return failed_run(name, tracer, "divergence", e.what());
    }
    tracer.finish(ctx.result);
    if (!cli.quiet && tracer.level() != TraceLevel::off)
      fmt::print("\ntrace: {} ({} events, level {})\n", cli.trace_path.string(), tracer.events_recorded(),
                 to_string(tracer.level()));
    // The learning curves of every run that trained by epochs, read back from the trace's epoch events.
    if (trace_is_a_file(tracer)) {
      const auto curves = curves_path(tracer.path());
      if (write_training_curves(tracer.path(), curves, name) && !cli.quiet)
        fmt::print("curves: {} (the loss per epoch of each run, and its accuracy where it classifies)\n",
                   curves.string());
    }
    return 0;
  } catch (const UsageError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", name, e.what());
    return 2;
  } catch (const InputError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", name, e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: out of memory while running the chapter; try smaller settings\n", name);
    return 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", name, e.what());
    return 1;
  }
}

std::filesystem::path companion_path(const std::filesystem::path& trace, const std::string& suffix) {
  std::filesystem::path base = trace;
  if (base.extension() == ".json") base.replace_extension();
  base += "." + suffix;
  return base;
}

bool plots_beside_trace(const Context& ctx) {
  if (ctx.tracer.level() == TraceLevel::off) return false;
  if (trace_is_a_file(ctx.tracer)) return true;
  ctx.print("\nplots: none, since the trace goes to {}, which is not a file (give --trace a file to get them)\n",
            ctx.tracer.path().string());
  return false;
}

}  // namespace glassbox::course
