// glassbox/io/progress.hpp — a progress line for long training runs, as Keras' fit() shows one.
//
// On a terminal, one line redrawn in place while an epoch runs ("\r", the line, then ESC[K to clear
// what a longer line left), at most ten times a second, and left standing when the epoch ends:
//
//   epoch 3/10  batch 120/469  loss 0.4567  accuracy 0.8391  0:12 elapsed  ETA 0:35
//
// Elsewhere (a log file, a pipe) or when asked to be quiet, nothing while an epoch runs and one
// plain line when it ends, so a log holds no carriage returns or escape codes:
//
//   epoch 3/10: loss 0.4123, accuracy 0.8512 (469 batches, 47.3 s)
//
// loss and accuracy are running means over the epoch's batches so far, each batch weighted by its
// samples (as Keras' progress bar averages): the numbers the batches had as they were computed,
// before their updates — not the loss of the weights the epoch ends with (train.hpp's epoch loss).
// ETA is the time left in this epoch at the mean time per batch so far.
//
// The clock is injectable (seconds from any fixed start), so tests drive the line with a fake one.
#pragma once

#include <cstddef>
#include <cstdio>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

namespace glassbox {

enum class ProgressMode {
  terminal,  // redraw one line in place during the epoch; the epoch's final state stays
  lines,     // one plain line per epoch
  off,       // nothing
};

// terminal when `stream` is a terminal (isatty) and not quiet; lines otherwise.
ProgressMode progress_mode_for(std::FILE* stream, bool quiet);

using ProgressClock = std::function<double()>;  // seconds since a fixed moment
double steady_seconds();                        // std::chrono::steady_clock's

// "0:07", "12:34", "1:02:03": whole seconds as a person reads a duration.
std::string format_duration(double seconds);

class Progress {
public:
  // `epochs`: how many the run will have, shown as "epoch e/epochs" (0: unknown, shown as "epoch e").
  Progress(std::ostream& out, ProgressMode mode, std::size_t epochs, ProgressClock clock = steady_seconds,
           double redraw_interval = 0.1);

  // An epoch of `batches` batches begins.
  void start_epoch(std::size_t epoch, std::size_t batches);
  // Batch i (from 1) of the epoch is done: its loss and, for a classifier, accuracy, over `samples` samples.
  void batch(std::size_t i, double loss, std::optional<double> accuracy, std::size_t samples);
  // The epoch is over: the terminal line is drawn a last time and kept; in lines mode, its one line.
  // `extra` (e.g. "val_loss 0.3120") is added to the end of the line.
  void end_epoch(const std::string& extra = {});

  // The line as it is now (without \r or escape codes), for a program that shows it its own way.
  std::string line() const;
  std::size_t redraws() const noexcept { return redraws_; }

private:
  void draw();

  std::ostream& out_;
  ProgressMode mode_;
  std::size_t epochs_;
  ProgressClock clock_;
  double redraw_interval_;

  std::size_t epoch_ = 0, batches_ = 0, done_ = 0;
  double epoch_start_ = 0, last_draw_ = 0;
  bool drawn_ = false;
  std::size_t samples_ = 0, accuracy_samples_ = 0;
  double loss_sum_ = 0, accuracy_sum_ = 0;  // Σ samples·loss, Σ samples·accuracy
  std::size_t redraws_ = 0;
};

}  // namespace glassbox
