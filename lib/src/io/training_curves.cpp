// glassbox/io/training_curves.cpp — epoch events to learning curves.
#include "glassbox/io/training_curves.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "glassbox/core/json.hpp"
#include "glassbox/io/svg.hpp"
#include "glassbox/io/trace_reader.hpp"

namespace glassbox {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A field of an epoch event as a number: NaN when it is missing or not a number ("nan" too).
double field(const Json& event, const char* key, bool& present) {
  const auto it = event.find(key);
  if (it == event.end()) return kNaN;
  present = true;
  try {
    return number_from_json(*it);
  } catch (const InputError&) {
    return kNaN;
  }
}

// The name an event that opens a run ("delta_run", "depth_run", "output_run") gives it: its "run",
// else its text fields but the kind and the network, joined: "sigmoid, glorot_normal".
std::string run_name(const Json& event) {
  if (event.contains("run") && event["run"].is_string()) return event["run"];
  std::string name;
  for (const auto& [key, value] : event.items()) {
    if (key == "event" || key == "network" || !value.is_string()) continue;
    if (!name.empty()) name += ", ";
    name += value.get<std::string>();
  }
  return name;
}

}  // namespace

std::vector<EpochCurves> read_epoch_curves(const std::filesystem::path& trace) {
  TraceReader reader(trace);
  std::vector<EpochCurves> runs;
  // The curve each label is adding to now, and how many curves it has had: a label whose epochs
  // start again from a lower number (a chapter that trains several networks without naming them) gets
  // a new curve, numbered: "run 2", "xor (2)".
  std::map<std::string, std::pair<std::size_t, std::size_t>> current;
  std::string opened;  // the name the last "…_run" event gave the runs after it
  const auto wanted = [](std::string_view kind) { return kind == "epoch" || kind.ends_with("_run"); };
  while (auto event = reader.next_if(wanted)) {
    if ((*event)["event"] != "epoch") {
      opened = run_name(*event);
      continue;
    }
    const std::string label = event->value("run", opened);
    bool seen = false;
    const double epoch = field(*event, "epoch", seen);
    auto found = current.find(label);
    if (found == current.end() || !(epoch > runs[found->second.first].epoch.back())) {
      const std::size_t count = found == current.end() ? 1 : found->second.second + 1;
      std::string name = label;
      if (label.empty()) {
        if (count > 1) name = fmt::format("run {}", count);
      } else if (count > 1) {
        name = fmt::format("{} ({})", label, count);
      }
      runs.emplace_back();
      runs.back().run = name;
      current[label] = {runs.size() - 1, count};
      found = current.find(label);
    }
    EpochCurves& c = runs[found->second.first];
    c.epoch.push_back(epoch);
    c.loss.push_back(field(*event, "loss", seen));
    c.accuracy.push_back(field(*event, "accuracy", c.has_accuracy));
    c.val_loss.push_back(field(*event, "val_loss", c.has_val_loss));
    c.val_accuracy.push_back(field(*event, "val_accuracy", c.has_val_accuracy));
  }
  // A trace of several unnamed runs: the first is "run 1".
  if (std::count_if(runs.begin(), runs.end(), [](const EpochCurves& c) { return c.run.starts_with("run "); }) > 0)
    for (EpochCurves& c : runs)
      if (c.run.empty()) c.run = "run 1";
  return runs;
}

std::string render_training_curves(const std::vector<EpochCurves>& curves, const std::string& title) {
  if (curves.empty()) throw std::invalid_argument("training curves: no epochs to draw");
  // The loss axis: logarithmic when every loss is positive and they span more than 100×.
  double lo = INFINITY, hi = -INFINITY;
  bool positive = true, any_accuracy = false;
  for (const EpochCurves& c : curves) {
    for (const auto* values : {&c.loss, &c.val_loss})
      for (double v : *values) {
        if (!std::isfinite(v)) continue;
        if (v <= 0) positive = false;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    any_accuracy = any_accuracy || c.has_accuracy || c.has_val_accuracy;
  }
  const bool log_loss = positive && lo > 0 && hi / lo > 100;

  const std::size_t n = curves.size();
  // A curve's legend entry: the run's name, with what it is when the run has a validation curve too
  // ("xor: training loss", "xor: validation loss"); the panel's title says loss or accuracy.
  const auto name = [&](const EpochCurves& c, const char* what) {
    const std::string_view w(what);
    if (c.run.empty()) return std::string(what);
    if (w == "loss" || w == "accuracy") return c.run;
    return fmt::format("{}: {}", c.run, what);
  };
  // One colour per run; training solid, validation dashed.
  const auto style = [&](std::size_t k, bool validation) {
    svg::LineStyle s;
    s.color = svg::palette()[k % svg::palette().size()];
    s.dashed = validation;
    s.width = n > 4 ? 1.5 : 2;
    return s;
  };
  const auto dot = [&](std::size_t k) {
    svg::PointStyle p;
    p.color = svg::palette()[k % svg::palette().size()];
    return p;
  };
  // With a single epoch a line is one point: draw markers too, so the picture is not empty.
  const bool single_epoch = std::all_of(curves.begin(), curves.end(), [](const EpochCurves& c) { return c.epoch.size() < 2; });

  std::vector<svg::Plot> panels;
  svg::Plot loss(fmt::format("{}: loss per epoch{}", title, log_loss ? " (log scale)" : ""));
  loss.x_label("epoch").x_whole().y_label(log_loss ? "loss (log scale)" : "loss").size(720, 400).y_log(log_loss);
  for (std::size_t k = 0; k < n; ++k) {
    const EpochCurves& c = curves[k];
    const bool with_val = c.has_val_loss;
    loss.line(name(c, with_val ? "training loss" : "loss"), c.epoch, c.loss, style(k, false));
    if (with_val) loss.line(name(c, "validation loss"), c.epoch, c.val_loss, style(k, true));
    if (single_epoch) loss.points("", c.epoch, c.loss, dot(k));
  }
  panels.push_back(std::move(loss));
  if (any_accuracy) {
    svg::Plot acc(fmt::format("{}: accuracy per epoch", title));
    acc.x_label("epoch").x_whole().y_label("accuracy").size(720, 400).y_range(0, 1.02);
    for (std::size_t k = 0; k < n; ++k) {
      const EpochCurves& c = curves[k];
      if (!c.has_accuracy && !c.has_val_accuracy) continue;
      const bool with_val = c.has_val_accuracy;
      if (c.has_accuracy) acc.line(name(c, with_val ? "training accuracy" : "accuracy"), c.epoch, c.accuracy, style(k, false));
      if (with_val) acc.line(name(c, "validation accuracy"), c.epoch, c.val_accuracy, style(k, true));
      if (single_epoch) acc.points("", c.epoch, c.accuracy, dot(k));
    }
    panels.push_back(std::move(acc));
  }
  return svg::render_column(panels);
}

std::filesystem::path curves_path(const std::filesystem::path& trace) {
  std::filesystem::path base = trace;
  if (base.extension() == ".json") base.replace_extension();
  base += ".curves.svg";
  return base;
}

bool write_training_curves(const std::filesystem::path& trace, const std::filesystem::path& svg, const std::string& title) {
  const std::vector<EpochCurves> curves = read_epoch_curves(trace);
  if (curves.empty()) return false;
  svg::save_svg(svg, render_training_curves(curves, title));
  return true;
}

}  // namespace glassbox
