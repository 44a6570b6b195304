// glassbox/train/early_stopping.hpp — stop training when a monitored number has stopped improving, as
// Keras' EarlyStopping callback does (keras.callbacks.EarlyStopping, Keras 3).
//
// After each epoch (counted from 1 here; Keras counts from 0) the monitored value v is one of
//   "val_loss" (the default), "loss"          — lower is better ("min", Keras' mode "auto")
//   "val_accuracy", "accuracy"                — higher is better ("max")
// The rule, number by number (best starts at +∞ for "min", −∞ for "max"; wait at 0):
//   · an epoch ≤ start_from_epoch is not looked at (a warm-up);
//   · wait ← wait + 1;
//   · v improves when v + min_delta < best ("min") or v − min_delta > best ("max"): then best ← v,
//     best_epoch ← this epoch, its weights are kept (with restore_best_weights), and wait ← 0 —
//     but only if v also improves in the same sense on `baseline`, when one is given;
//   · otherwise, if wait ≥ patience and this is not the first epoch, training stops after this epoch.
// So with patience p, training stops at the p-th epoch in a row without an improvement (at the
// first such epoch for p = 0), and min_delta is how much better than the best a value must be to
// count. A NaN never improves.
//
// restore_best_weights: when training ends — stopped early or after its last epoch alike, as Keras 3
// does (Keras 2 restored only when it stopped early) — the network gets back every tensor it had
// at the end of best_epoch: its parameters and its buffers (Network::state()). If the first epoch
// looked at brings no improvement (a NaN), its weights stand in as the best, as in Keras.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "glassbox/core/json.hpp"

namespace glassbox {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";  // "val_loss", "val_accuracy", "loss" or "accuracy"
  double min_delta = 0;              // ≥ 0 (Keras takes |min_delta|)
  std::size_t patience = 0;          // epochs without improvement before stopping
  bool restore_best_weights = false;
  std::optional<double> baseline;    // a value to beat; the wait is not reset until it is
  std::size_t start_from_epoch = 0;  // epochs of warm-up not looked at
};

// The monitors known, and whether lower is better for one (throws std::invalid_argument for others).
const std::vector<std::string>& early_stopping_monitors();
bool monitor_minimizes(const std::string& monitor);

class EarlyStopping {
public:
  // Throws std::invalid_argument for an unknown monitor or a negative or non-finite min_delta.
  explicit EarlyStopping(EarlyStoppingOptions options);

  // What update() decided for one epoch.
  struct Verdict {
    bool looked = false;        // false during the warm-up (start_from_epoch)
    bool improved = false;      // v beat best (by min_delta)
    bool keep_weights = false;  // with restore_best_weights: the weights as they are now are the best so far
    bool stop = false;          // stop training after this epoch
  };
  // The value of the monitored number after `epoch` (from 1, increasing by one per call).
  Verdict update(std::size_t epoch, double value);

  const EarlyStoppingOptions& options() const noexcept { return options_; }
  bool minimizes() const noexcept { return minimize_; }
  std::optional<double> best() const noexcept { return best_; }     // none before an improvement
  std::size_t best_epoch() const noexcept { return best_epoch_; }   // 0 before any
  std::size_t wait() const noexcept { return wait_; }
  std::optional<std::size_t> stopped_epoch() const noexcept { return stopped_epoch_; }
  // "no improvement in val_loss by more than 0 for 5 epochs (patience 5)", or "ran all its epochs".
  std::string reason() const;

  // The "early_stopping" event at the end of training (docs/trace-format.md): the settings, best and
  // best_epoch, stopped_epoch (null when training ran all its epochs), epochs_run, reason, and
  // restored_epoch (the epoch whose weights the network ends with; null if none were restored).
  Json event(std::size_t epochs_run, std::optional<std::size_t> restored_epoch) const;

private:
  bool better(double value, double reference) const;

  EarlyStoppingOptions options_;
  bool minimize_ = true;
  std::optional<double> best_;
  std::size_t best_epoch_ = 0;
  std::size_t wait_ = 0;
  bool kept_any_ = false;
  std::optional<std::size_t> stopped_epoch_;
};

}  // namespace glassbox
