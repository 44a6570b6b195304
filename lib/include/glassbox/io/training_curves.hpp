// glassbox/io/training_curves.hpp — a run's learning curves: its loss (and accuracy, when it
// classifies) per epoch, read from the "epoch" events of its trace and drawn as one SVG beside it.
//
//   write_training_curves("traces/ch06_backprop_shallow.json", "traces/ch06_backprop_shallow.curves.svg",
//                         "ch06_backprop_shallow");
//
// Each run of a trace is one curve, named by its epoch events' "run"; epoch events without one take
// the name the last event before them whose kind ends in "_run" gives (its "run", else its text
// fields joined: chapter 08's "depth_run" names "sigmoid, glorot_normal"); a name whose epochs start
// again from a lower number gets a new curve, numbered ("run 2", "binary (2)"). The
// picture has a loss panel and, when any run reports "accuracy", an accuracy panel under it.
// Validation curves ("val_loss", "val_accuracy" in the epoch events) are drawn dashed in their run's
// colour. The loss axis is logarithmic when every loss is positive and they span more than a factor
// of 100 (runs with different losses, or a loss that falls by orders of magnitude), linear otherwise.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace glassbox {

// One run's numbers per epoch. A value an epoch did not report is NaN (the curve breaks there).
struct EpochCurves {
  std::string run;                   // its name (see above); empty for a trace of one unnamed network
  std::vector<double> epoch;         // 1, 2, …
  std::vector<double> loss;          // on the whole training set after the epoch
  std::vector<double> accuracy;      // classification only
  std::vector<double> val_loss;      // with a validation set
  std::vector<double> val_accuracy;
  bool has_accuracy = false, has_val_loss = false, has_val_accuracy = false;
};

// Every "epoch" event of a trace, by run in the order the runs first appear. Reads one line at a time
// (trace_reader.hpp); InputError for a file that is not a trace.
std::vector<EpochCurves> read_epoch_curves(const std::filesystem::path& trace);

// The SVG document: the loss panel, and the accuracy panel when a run has accuracy. `title` names
// the program or experiment. std::invalid_argument for no curves.
std::string render_training_curves(const std::vector<EpochCurves>& curves, const std::string& title);

// Where the curves of a trace go: "traces/x.json" → "traces/x.curves.svg" (a path without ".json"
// keeps its whole name: "out" → "out.curves.svg"), the name pattern of every plot beside a trace.
std::filesystem::path curves_path(const std::filesystem::path& trace);

// Reads the trace's epoch events and, if there are any, writes their curves to `svg` (atomically, as
// svg::Plot::save()). Returns whether it wrote anything: a trace without epochs (a forward pass, a
// perceptron's mistakes) gets no picture. Throws InputError for a trace it cannot read, OutputError
// for a picture it cannot write.
bool write_training_curves(const std::filesystem::path& trace, const std::filesystem::path& svg, const std::string& title);

}  // namespace glassbox
