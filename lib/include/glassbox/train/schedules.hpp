// glassbox/train/schedules.hpp — learning-rate schedules: how η changes while training runs.
//
// η = the optimizer's learning rate (Optimizer::learning_rate()), η₀ = its value when the schedule
// starts (PyTorch's base_lr), t = the schedule's steps so far (PyTorch's last_epoch).
//
// Each schedule follows torch.optim.lr_scheduler: the same settings, the same defaults, the same
// rates in the same order. A schedule is stepped the way PyTorch's examples step it:
//   per epoch  StepLR, ExponentialLR, CosineAnnealingLR — scheduler.step() after each epoch;
//              ReduceLROnPlateau — scheduler.step(metric) after each epoch, given the epoch's loss
//   per batch  OneCycleLR — scheduler.step() after each optimizer step
// (unit() says which; train() in train.hpp steps it so). Like PyTorch's, start() — PyTorch's
// constructor — sets the rate of the first epoch or batch, and each step() the rate of the next.
//
// PyTorch computes StepLR, ExponentialLR and CosineAnnealingLR "chainably": each step() changes the
// rate in force (η ← η·γ …) rather than computing it from η₀ and t. The classes here do the same,
// with the same arithmetic, so the rates are PyTorch's to the last bit where the arithmetic is
// +, −, ×, ÷ (StepLR, ExponentialLR, ReduceLROnPlateau), and within about an ulp where a cosine
// is involved (portable_cos, core/portable_math.hpp, instead of libm's, so that every machine
// computes the same bits). The formulas, one per class, are the closed forms they follow.
//
// By name (schedule_table(), at the end), as specs give them: {"name": "step", "step_size": 30}.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/core/json.hpp"

namespace glassbox {

// When PyTorch steps a schedule: once after every epoch, or once after every optimizer step.
enum class ScheduleUnit { epoch, batch };
std::string_view to_string(ScheduleUnit unit);

class Schedule {
public:
  virtual ~Schedule() = default;
  virtual std::string describe() const = 0;  // "StepLR(step_size=30, γ=0.1)"
  virtual ScheduleUnit unit() const = 0;
  // Whether step() reads a metric (ReduceLROnPlateau: the epoch's loss).
  virtual bool needs_metric() const { return false; }
  virtual std::unique_ptr<Schedule> clone() const = 0;
  // The most step() calls it allows after start() (OneCycleLR: total_steps); none for the others.
  virtual std::optional<std::size_t> step_limit() const { return std::nullopt; }

  // PyTorch's constructor: t = 0, η₀ = eta (the optimizer's rate now); returns the rate of the first
  // epoch or batch (η₀ itself for every schedule but OneCycleLR, which starts at max_lr/div_factor).
  // Starting again forgets every earlier step.
  double start(double eta);
  // PyTorch's scheduler.step(): t ← t + 1; returns the rate for the next epoch or batch, computed
  // from `eta`, the rate in force (chainably, as PyTorch does). `metric` is read by ReduceLROnPlateau
  // only (std::invalid_argument if it is NaN there). std::logic_error before start();
  // std::out_of_range past OneCycleLR's total_steps, as PyTorch refuses it.
  double step(double eta, double metric = std::numeric_limits<double>::quiet_NaN());

  std::size_t steps() const noexcept { return t_; }  // t, PyTorch's last_epoch
  double base_rate() const noexcept { return base_; }  // η₀

protected:
  // The rate at t = 0 from η₀.
  virtual double first_rate(double base) { return base; }
  // The rate after step t (t ≥ 1, already counted) from the rate in force.
  virtual double next_rate(double eta, double metric) = 0;
  // Called by start(): forget what earlier steps left (ReduceLROnPlateau's best, its counters).
  virtual void reset() {}

private:
  bool started_ = false;
  std::size_t t_ = 0;
  double base_ = 0;
};

// The rates of the first n epochs or batches (t = 0 … n−1) from η₀ = eta, for a schedule that needs
// no metric: what plots and lessons show. std::invalid_argument for ReduceLROnPlateau.
std::vector<double> schedule_rates(const Schedule& schedule, double eta, std::size_t n);

// ---- the schedules ----------------------------------------------------------------------------

// η_t = η₀·γ^⌊t/step_size⌋   (chainable: η ← η·γ when t is a multiple of step_size, else η)
class StepLR final : public Schedule {
public:
  explicit StepLR(std::size_t step_size, double gamma = 0.1);
  std::string describe() const override;
  ScheduleUnit unit() const override { return ScheduleUnit::epoch; }
  std::unique_ptr<Schedule> clone() const override { return std::make_unique<StepLR>(*this); }

protected:
  double next_rate(double eta, double metric) override;

private:
  std::size_t step_size_;
  double gamma_;
};

// η_t = η₀·γᵗ   (chainable: η ← η·γ)
class ExponentialLR final : public Schedule {
public:
  explicit ExponentialLR(double gamma);
  std::string describe() const override;
  ScheduleUnit unit() const override { return ScheduleUnit::epoch; }
  std::unique_ptr<Schedule> clone() const override { return std::make_unique<ExponentialLR>(*this); }

protected:
  double next_rate(double eta, double metric) override;

private:
  double gamma_;
};

// η_t = η_min + ½(η₀ − η_min)(1 + cos(π·t/T_max))   (SGDR's cosine without restarts)
// Chainable, as PyTorch computes it:
//   η ← η_min + (η − η_min)·(1 + cos(π·t/T_max)) / (1 + cos(π·(t−1)/T_max))
// and, where that divides by zero (t − 1 − T_max a multiple of 2·T_max: the bottom of a cosine),
//   η ← η + ½(η₀ − η_min)(1 − cos(π/T_max)).
// Past T_max the cosine goes on: the rate climbs back to η₀ at 2·T_max, as PyTorch's does.
class CosineAnnealingLR final : public Schedule {
public:
  explicit CosineAnnealingLR(std::size_t T_max, double eta_min = 0);
  std::string describe() const override;
  ScheduleUnit unit() const override { return ScheduleUnit::epoch; }
  std::unique_ptr<Schedule> clone() const override { return std::make_unique<CosineAnnealingLR>(*this); }

protected:
  double next_rate(double eta, double metric) override;

private:
  std::size_t T_max_;
  double eta_min_;
};

// Leslie Smith's 1cycle policy, per batch, over total_steps optimizer steps. η₀ is not used:
//   initial = max_lr/div_factor,  min = initial/final_div_factor
//   phases (end step, from → to):  (pct_start·total_steps − 1, initial → max_lr),
//                                  (total_steps − 1,            max_lr → min)
//   with three_phase:              (pct_start·total_steps − 1, initial → max_lr),
//                                  (2·pct_start·total_steps − 2, max_lr → initial),
//                                  (total_steps − 1,            initial → min)
//   at step t, in the first phase whose end ≥ t (or the last): pct = (t − start)/(end − start),
//   start = the previous phase's end (0 for the first), and
//     cos:    η = to + ½(from − to)(1 + cos(π·pct))
//     linear: η = from + (to − from)·pct
// PyTorch's OneCycleLR also cycles the momentum (β₁ for Adam) between base_momentum 0.85 and
// max_momentum 0.95, opposite to the rate; this class does not (it sets the learning rate only).
// total_steps steps may be taken after start() — the last sets a rate no step uses — and no more.
class OneCycleLR final : public Schedule {
public:
  enum class Anneal { cos, linear };
  OneCycleLR(double max_lr, std::size_t total_steps, double pct_start = 0.3, Anneal anneal = Anneal::cos,
             double div_factor = 25, double final_div_factor = 1e4, bool three_phase = false);
  std::string describe() const override;
  ScheduleUnit unit() const override { return ScheduleUnit::batch; }
  std::unique_ptr<Schedule> clone() const override { return std::make_unique<OneCycleLR>(*this); }
  std::size_t total_steps() const noexcept { return total_steps_; }
  std::optional<std::size_t> step_limit() const override { return total_steps_; }

protected:
  double first_rate(double base) override;
  double next_rate(double eta, double metric) override;

private:
  double rate_at(std::size_t t) const;
  struct Phase {
    double end_step, from, to;
  };
  double max_lr_;
  std::size_t total_steps_;
  double pct_start_;
  Anneal anneal_;
  double div_factor_, final_div_factor_;
  bool three_phase_;
  std::vector<Phase> phases_;
};

// Lowers the rate when a metric stops improving (per epoch, given the epoch's loss):
//   better:  mode min, rel: m < best·(1 − threshold)   abs: m < best − threshold
//            mode max, rel: m > best·(1 + threshold)   abs: m > best + threshold
//   a better m becomes the best (best starts at +∞ for min, −∞ for max) and bad_epochs = 0;
//   otherwise bad_epochs += 1.
//   In cooldown (cooldown_counter > 0): cooldown_counter −= 1 and bad_epochs = 0.
//   When bad_epochs > patience: η ← max(η·factor, min_lr), unless that changes η by eps or less;
//   then cooldown_counter = cooldown and bad_epochs = 0.
// So with patience p the rate drops after the (p+1)-th epoch in a row without improvement.
class ReduceLROnPlateau final : public Schedule {
public:
  enum class Mode { min, max };
  enum class ThresholdMode { rel, abs };
  explicit ReduceLROnPlateau(Mode mode = Mode::min, double factor = 0.1, std::size_t patience = 10,
                             double threshold = 1e-4, ThresholdMode threshold_mode = ThresholdMode::rel,
                             std::size_t cooldown = 0, double min_lr = 0, double eps = 1e-8);
  std::string describe() const override;
  ScheduleUnit unit() const override { return ScheduleUnit::epoch; }
  bool needs_metric() const override { return true; }
  std::unique_ptr<Schedule> clone() const override { return std::make_unique<ReduceLROnPlateau>(*this); }

  double best() const noexcept { return best_; }
  std::size_t bad_epochs() const noexcept { return bad_epochs_; }
  std::size_t cooldown_counter() const noexcept { return cooldown_counter_; }

protected:
  double next_rate(double eta, double metric) override;
  void reset() override;

private:
  bool is_better(double metric) const;
  Mode mode_;
  double factor_;
  std::size_t patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  std::size_t cooldown_;
  double min_lr_, eps_;
  double best_ = 0;
  std::size_t bad_epochs_ = 0, cooldown_counter_ = 0;
};

// ---- by name ------------------------------------------------------------------------------------

// One setting of a schedule, as specs and help texts show it.
struct ScheduleSetting {
  const char* key;       // "step_size"
  const char* expected;  // "a whole number ≥ 1"
  const char* meaning;   // "epochs between decays"
  Json fallback;         // its default; null: required, unless `optional`
  bool optional = false; // may be left out, with no default (OneCycleLR's total_steps, when the run gives it)
};

// The schedules by name, in one table (adding one: its class above, one entry in schedules.cpp).
struct ScheduleEntry {
  const char* name;                         // "step"
  const char* pytorch;                      // "StepLR"
  ScheduleUnit unit;                        // when it is stepped
  const char* formula;                      // "η_t = η₀·γ^⌊t/step_size⌋"
  std::vector<ScheduleSetting> settings;    // every key it takes
  // Builds it from settings make_schedule() has checked and completed with defaults; SettingError
  // naming the schedule and the key for a bad value.
  std::unique_ptr<Schedule> (*make)(const Json& settings);
};
const std::vector<ScheduleEntry>& schedule_table();
// The entry called `name`; InputError naming an unknown schedule.
const ScheduleEntry& schedule_entry(std::string_view name);
std::vector<std::string> schedule_names();

// The schedule called `name` with `settings` ({"step_size": 30}). InputError naming the schedule and
// the key for an unknown key (with a did-you-mean), a missing required one, or a bad value (then
// SettingError, which carries the key).
std::unique_ptr<Schedule> make_schedule(std::string_view name, const Json& settings);

}  // namespace glassbox
