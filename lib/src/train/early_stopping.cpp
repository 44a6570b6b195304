// glassbox/train/early_stopping.cpp — Keras' EarlyStopping rule, fed one number per epoch.
#include "glassbox/train/early_stopping.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace glassbox {

const std::vector<std::string>& early_stopping_monitors() {
  static const std::vector<std::string> monitors{"val_loss", "val_accuracy", "loss", "accuracy"};
  return monitors;
}

bool monitor_minimizes(const std::string& monitor) {
  if (monitor == "val_loss" || monitor == "loss") return true;
  if (monitor == "val_accuracy" || monitor == "accuracy") return false;
  throw std::invalid_argument(fmt::format("early stopping: unknown monitor \"{}\"; known: val_loss, val_accuracy, "
                                          "loss, accuracy",
                                          monitor));
}

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : options_(std::move(options)) {
  minimize_ = monitor_minimizes(options_.monitor);
  if (!(options_.min_delta >= 0) || !std::isfinite(options_.min_delta))
    throw std::invalid_argument(fmt::format("early stopping: min_delta {} is not a finite number ≥ 0", options_.min_delta));
}

// v − min_delta > reference ("max") or v + min_delta < reference ("min"): Keras' _is_improvement,
// whose min_delta is negated for "min". False for a NaN v.
bool EarlyStopping::better(double value, double reference) const {
  return minimize_ ? value + options_.min_delta < reference : value - options_.min_delta > reference;
}

EarlyStopping::Verdict EarlyStopping::update(std::size_t epoch, double value) {
  Verdict verdict;
  if (epoch <= options_.start_from_epoch) return verdict;  // Keras: epoch (from 0) < start_from_epoch
  verdict.looked = true;
  if (options_.restore_best_weights && !kept_any_) {  // the first weights looked at stand in as the best
    verdict.keep_weights = true;
    best_epoch_ = epoch;
  }
  kept_any_ = true;
  ++wait_;
  const double infinity = std::numeric_limits<double>::infinity();
  if (better(value, best_.value_or(minimize_ ? infinity : -infinity))) {
    best_ = value;
    best_epoch_ = epoch;
    verdict.improved = true;
    verdict.keep_weights = options_.restore_best_weights;
    if (!options_.baseline || better(value, *options_.baseline)) wait_ = 0;
    return verdict;
  }
  if (wait_ >= options_.patience && epoch > 1) {  // Keras: epoch (from 0) > 0
    verdict.stop = true;
    stopped_epoch_ = epoch;
  }
  return verdict;
}

std::string EarlyStopping::reason() const {
  if (!stopped_epoch_) return "ran all its epochs";
  const EarlyStoppingOptions& o = options_;
  if (o.baseline && (!best_ || !better(*best_, *o.baseline)))
    return fmt::format("{} did not beat the baseline {} in {} epochs (patience {})", o.monitor, *o.baseline, wait_,
                       o.patience);
  return fmt::format("no improvement in {} by more than {} for {} epochs (patience {})", o.monitor, o.min_delta, wait_,
                     o.patience);
}

Json EarlyStopping::event(std::size_t epochs_run, std::optional<std::size_t> restored_epoch) const {
  Json e;
  e["event"] = "early_stopping";
  e["monitor"] = options_.monitor;
  e["mode"] = minimize_ ? "min" : "max";
  e["min_delta"] = options_.min_delta;
  e["patience"] = options_.patience;
  e["restore_best_weights"] = options_.restore_best_weights;
  e["baseline"] = options_.baseline ? Json(*options_.baseline) : Json(nullptr);
  e["start_from_epoch"] = options_.start_from_epoch;
  e["best"] = best_ ? Json(to_json(*best_)) : Json(nullptr);
  e["best_epoch"] = best_epoch_;
  e["stopped_epoch"] = stopped_epoch_ ? Json(*stopped_epoch_) : Json(nullptr);
  e["epochs_run"] = epochs_run;
  e["reason"] = reason();
  e["restored_epoch"] = restored_epoch ? Json(*restored_epoch) : Json(nullptr);
  return e;
}

}  // namespace glassbox
