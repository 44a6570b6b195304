// glassbox/io/cli.cpp — option parsing with messages that say what is allowed.
#include "glassbox/io/cli.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "glassbox/core/bytes.hpp"
#include "glassbox/core/kernel.hpp"
#include "glassbox/core/text.hpp"

namespace glassbox {

namespace {

template <typename T>
bool parse_number(const std::string& text, T& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

CommandLine::CommandLine(ProgramInfo info)
    : info_(std::move(info)) {
  trace_level = info_.default_trace_level;
  trace_path = std::filesystem::path("traces") / (info_.name + ".json");
  add({"--seed", "N", "seed of the random generator (same seed, same trace bytes)",
       "a whole number from 0 to 18446744073709551615", true,
       [this](const std::string& v) {
         if (v.empty() || v[0] == '-' || !parse_number(v, seed)) throw UsageError("");
       },
       [this] { return Json(seed); }});
  add({"--trace", "PATH", fmt::format("where to write the trace (default {})", trace_path.string()),
       "a file path", true,
       [this](const std::string& v) {
         if (v.empty()) throw UsageError("");
         trace_path = v;
       },
       [this] { return Json(trace_path.string()); }});
  add({"--trace-level", "LEVEL",
       fmt::format("off, summary (per epoch), step (per update) or full (every number); default {}",
                   to_string(info_.default_trace_level)),
       "one of off, summary, step, full", true,
       [this](const std::string& v) {
         auto level = parse_trace_level(v);
         if (!level) throw UsageError("");
         trace_level = *level;
       },
       [this] { return Json(std::string(to_string(trace_level))); }});
  add({"--trace-max-size", "SIZE",
       fmt::format("the most the trace may hold, in bytes or with K, M, G (powers of 1000) or Ki, Mi, Gi; "
                   "default {}", format_bytes(static_cast<double>(kDefaultTraceMaxBytes))),
       "a size in bytes, like 500M or 2G (K, M, G, T: powers of 1000; Ki, Mi, Gi, Ti: of 1024)", true,
       [this](const std::string& v) {
         auto bytes = parse_bytes(v);
         if (!bytes || *bytes == 0) throw UsageError("");
         trace_max_bytes = *bytes;
       },
       [this] { return Json(trace_max_bytes); }});
  // The thread count changes the speed, never a number: it is not recorded in the trace (standard
  // options are not), and traces for --threads 1 and 2 are byte-identical.
  add({"--threads", "N",
       "threads a large matrix product may use (default: GLASSBOX_THREADS, or one per core); any count "
       "gives the same numbers",
       fmt::format("a whole number from 1 to {}", kernel::kMaxThreads), true,
       [](const std::string& v) {
         std::size_t n = 0;
         if (!parse_number(v, n) || n < 1 || n > kernel::kMaxThreads) throw UsageError("");
         kernel::set_threads(n);
       },
       [] { return Json(kernel::threads()); }});
  add({"--quiet", "", "print only errors", "", true, [this](const std::string&) { quiet = true; },
       [this] { return Json(quiet); }});
}

CommandLine& CommandLine::add(Option option) {
  options_.push_back(std::move(option));
  return *this;
}

CommandLine& CommandLine::option(std::string name, std::int64_t& target, std::int64_t min,
                                 std::int64_t max, std::string help) {
  return add({"--" + name, "N", std::move(help) + fmt::format(" (default {})", target),
              fmt::format("a whole number from {} to {}", min, max), false,
              [&target, min, max](const std::string& v) {
                std::int64_t x = 0;
                if (!parse_number(v, x) || x < min || x > max) throw UsageError("");
                target = x;
              },
              [&target] { return Json(target); }});
}

CommandLine& CommandLine::option(std::string name, double& target, double min, double max,
                                 std::string help) {
  return add({"--" + name, "X", std::move(help) + fmt::format(" (default {})", target),
              fmt::format("a number from {} to {}", min, max), false,
              [&target, min, max](const std::string& v) {
                double x = 0;
                if (!parse_number(v, x) || !std::isfinite(x) || x < min || x > max) throw UsageError("");
                target = x;
              },
              [&target] { return to_json(target); }});
}

CommandLine& CommandLine::option(std::string name, std::string& target, std::vector<std::string> choices,
                                 std::string help, std::string metavar) {
  std::string allowed = choices.empty() ? "a non-empty text" : "one of " + join(choices, ", ");
  std::string shown = choices.empty() ? metavar : join(choices, "|");
  if (!target.empty()) help += fmt::format(" (default {})", target);
  return add({"--" + name, shown, std::move(help), std::move(allowed), false,
              [&target, choices](const std::string& v) {
                if (v.empty() || (!choices.empty() && std::find(choices.begin(), choices.end(), v) == choices.end()))
                  throw UsageError("");
                // The trace records the value as JSON text, which is UTF-8 (a file name need not be).
                if (auto at = invalid_utf8_at(v))
                  throw UsageError(fmt::format("the value is not valid UTF-8 (byte {} is 0x{:02X}); the trace "
                                               "records it as JSON text, which must be UTF-8",
                                               *at + 1, static_cast<unsigned char>(v[*at])));
                target = v;
              },
              [&target] { return Json(target); }});
}

CommandLine& CommandLine::flag(std::string name, bool& target, std::string help) {
  return add({"--" + name, "", std::move(help), "", false, [&target](const std::string&) { target = true; },
              [&target] { return Json(target); }});
}

CommandLine& CommandLine::positional(std::string name, std::string& target, std::string help) {
  positionals_.push_back({std::move(name), std::move(help), &target});
  return *this;
}

CommandLine& CommandLine::set_help(std::string_view option, std::string help) {
  const std::string name = option.starts_with("--") ? std::string(option) : "--" + std::string(option);
  Option* o = find(name);
  if (!o) throw std::invalid_argument(fmt::format("CommandLine::set_help: no option {}", name));
  o->help = std::move(help);
  return *this;
}

CommandLine::Option* CommandLine::find(const std::string& name) {
  for (auto& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

bool CommandLine::parse(int argc, const char* const* argv) {
  given_.clear();
  // GLASSBOX_SIMD and GLASSBOX_THREADS: a bad value is a usage error, before --threads overrides.
  kernel::configure_from_environment();
  std::size_t next_positional = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return false;
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      if (next_positional < positionals_.size() && !arg.empty() && arg != "--") {
        *positionals_[next_positional++].target = arg;
        continue;
      }
      throw UsageError(fmt::format("unexpected argument \"{}\"; see --help", arg));
    }
    std::string name = arg, value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    Option* opt = find(name);
    if (!opt) {
      std::string message = fmt::format("unknown option {}", name);
      std::vector<std::string> names;
      for (const auto& o : options_) names.push_back(o.name);
      if (auto best = did_you_mean(name, names)) message += fmt::format(" (did you mean {}?)", *best);
      names.insert(names.begin(), "--help");
      throw UsageError(message + "; the options are " + join(names, ", "));
    }
    given_.push_back(opt->name);
    if (opt->metavar.empty()) {
      if (has_value) throw UsageError(fmt::format("{} takes no value", name));
      opt->set("");
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) throw UsageError(fmt::format("{} needs a value: {}", name, opt->allowed));
      value = argv[++i];
    }
    try {
      opt->set(value);
    } catch (const UsageError& e) {
      if (*e.what() != '\0') throw UsageError(fmt::format("{}: {}", name, e.what()));
      throw UsageError(fmt::format("{}: \"{}\" is not allowed; expected {}", name, value, opt->allowed));
    }
  }
  if (next_positional < positionals_.size())
    throw UsageError(fmt::format("missing {}; see --help", positionals_[next_positional].name));
  return true;
}

std::string CommandLine::help() const {
  std::string usage = info_.name;
  for (const auto& p : positionals_) usage += " " + p.name;
  usage += " [options]";
  std::string out;
  if (info_.chapter > 0)
    out += fmt::format("{} — chapter {:02}: {}\n\n", info_.name, info_.chapter, info_.title);
  else
    out += fmt::format("{} — {}\n\n", info_.name, info_.title);
  if (!info_.purpose.empty()) out += info_.purpose + "\n\n";
  out += fmt::format("usage: {}\n\n", usage);
  for (const auto& p : positionals_) out += fmt::format("  {:<24} {}\n", p.name, p.help);
  if (!positionals_.empty()) out += "\n";
  out += "options:\n";
  out += fmt::format("  {:<24} {}\n", "--help", "show this help and exit");
  for (const auto& o : options_) {
    std::string left = o.metavar.empty() ? o.name : o.name + " " + o.metavar;
    out += fmt::format("  {:<24} {}\n", left, o.help);
  }
  return out;
}

bool CommandLine::given(std::string_view option) const {
  const std::string name = option.starts_with("--") ? std::string(option) : "--" + std::string(option);
  return std::find(given_.begin(), given_.end(), name) != given_.end();
}

Json CommandLine::hyperparameters() const {
  Json out = Json::object();
  for (const auto& o : options_)
    if (!o.standard) out[o.name.substr(2)] = o.value();
  return out;
}

}  // namespace glassbox
