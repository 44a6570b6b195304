// glassbox/train/schedules.cpp — each schedule's step, as torch.optim.lr_scheduler computes it, and the
// table of them by name.
#include "glassbox/train/schedules.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"
#include "glassbox/core/portable_math.hpp"
#include "glassbox/core/text.hpp"

namespace glassbox {

namespace {

constexpr double kPi = 3.14159265358979323846;  // math.pi, the same double

// Python's a % m for m > 0: the remainder with the sign of m.
long long python_mod(long long a, long long m) { return ((a % m) + m) % m; }

}  // namespace

std::string_view to_string(ScheduleUnit unit) { return unit == ScheduleUnit::epoch ? "epoch" : "batch"; }

double Schedule::start(double eta) {
  started_ = true;
  t_ = 0;
  base_ = eta;
  reset();
  return first_rate(eta);
}

double Schedule::step(double eta, double metric) {
  if (!started_) throw std::logic_error(fmt::format("{}: step() before start()", describe()));
  if (needs_metric() && std::isnan(metric))
    throw std::invalid_argument(fmt::format("{}: step() needs the metric it watches, got nan", describe()));
  ++t_;
  return next_rate(eta, metric);
}

std::vector<double> schedule_rates(const Schedule& schedule, double eta, std::size_t n) {
  if (schedule.needs_metric())
    throw std::invalid_argument(fmt::format("schedule_rates: {} needs a metric at every step", schedule.describe()));
  std::vector<double> rates;
  if (n == 0) return rates;
  const auto s = schedule.clone();
  rates.push_back(s->start(eta));
  while (rates.size() < n) rates.push_back(s->step(rates.back()));
  return rates;
}

// ---- StepLR -----------------------------------------------------------------------------------

StepLR::StepLR(std::size_t step_size, double gamma) : step_size_(step_size), gamma_(gamma) {
  if (step_size == 0) throw std::invalid_argument("StepLR: step_size must be ≥ 1");
}

std::string StepLR::describe() const { return fmt::format("StepLR(step_size={}, γ={})", step_size_, gamma_); }

// η_t = η₀·γ^⌊t/step_size⌋, one factor γ at every multiple of step_size
double StepLR::next_rate(double eta, double) { return steps() % step_size_ == 0 ? eta * gamma_ : eta; }

// ---- ExponentialLR ----------------------------------------------------------------------------

ExponentialLR::ExponentialLR(double gamma) : gamma_(gamma) {}

std::string ExponentialLR::describe() const { return fmt::format("ExponentialLR(γ={})", gamma_); }

// η_t = η₀·γᵗ, one factor γ per step
double ExponentialLR::next_rate(double eta, double) { return eta * gamma_; }

// ---- CosineAnnealingLR ------------------------------------------------------------------------

CosineAnnealingLR::CosineAnnealingLR(std::size_t T_max, double eta_min) : T_max_(T_max), eta_min_(eta_min) {
  if (T_max == 0) throw std::invalid_argument("CosineAnnealingLR: T_max must be ≥ 1");
}

std::string CosineAnnealingLR::describe() const {
  return fmt::format("CosineAnnealingLR(T_max={}, η_min={})", T_max_, eta_min_);
}

// η_t = η_min + ½(η₀ − η_min)(1 + cos(π·t/T_max)), computed from η_{t−1} as PyTorch's get_lr does
double CosineAnnealingLR::next_rate(double eta, double) {
  const auto t = static_cast<long long>(steps());
  const auto T = static_cast<long long>(T_max_);
  const double T_max = static_cast<double>(T_max_);
  if (python_mod(t - 1 - T, 2 * T) == 0)  // η_{t−1} sat at the bottom (η_min): the ratio below would be 0/0
    return eta + (base_rate() - eta_min_) * (1 - portable_cos(kPi / T_max)) / 2;
  return (1 + portable_cos(kPi * static_cast<double>(t) / T_max)) /
             (1 + portable_cos(kPi * static_cast<double>(t - 1) / T_max)) * (eta - eta_min_) +
         eta_min_;
}

// ---- OneCycleLR -------------------------------------------------------------------------------

OneCycleLR::OneCycleLR(double max_lr, std::size_t total_steps, double pct_start, Anneal anneal, double div_factor,
                       double final_div_factor, bool three_phase)
    : max_lr_(max_lr),
      total_steps_(total_steps),
      pct_start_(pct_start),
      anneal_(anneal),
      div_factor_(div_factor),
      final_div_factor_(final_div_factor),
      three_phase_(three_phase) {
  if (total_steps == 0) throw std::invalid_argument("OneCycleLR: total_steps must be ≥ 1");
  if (!(pct_start >= 0 && pct_start <= 1)) throw std::invalid_argument("OneCycleLR: pct_start must be in [0, 1]");
  const double initial = max_lr / div_factor;
  const double minimum = initial / final_div_factor;
  const double steps = static_cast<double>(total_steps);
  const double up = pct_start * steps - 1;  // PyTorch: float(pct_start * total_steps) - 1
  if (three_phase)
    phases_ = {{up, initial, max_lr}, {2 * pct_start * steps - 2, max_lr, initial}, {steps - 1, initial, minimum}};
  else
    phases_ = {{up, initial, max_lr}, {steps - 1, max_lr, minimum}};
  double start = 0;
  for (const Phase& p : phases_) {
    if (p.end_step == start)  // pct = 0/0 in PyTorch (ZeroDivisionError)
      throw std::invalid_argument(fmt::format("OneCycleLR: a phase of zero steps (pct_start = {}, total_steps = {}); "
                                              "pct_start·total_steps must not be 1 (nor 0.5 with three phases)",
                                              pct_start, total_steps));
    start = p.end_step;
  }
}

std::string OneCycleLR::describe() const {
  return fmt::format("OneCycleLR(max_lr={}, total_steps={}, pct_start={}, {}, div_factor={}, final_div_factor={}{})",
                     max_lr_, total_steps_, pct_start_, anneal_ == Anneal::cos ? "cos" : "linear", div_factor_,
                     final_div_factor_, three_phase_ ? ", three_phase" : "");
}

double OneCycleLR::rate_at(std::size_t t) const {
  if (t > total_steps_)
    throw std::out_of_range(fmt::format("{}: stepped {} times; total_steps is {}", describe(), t, total_steps_));
  const double step = static_cast<double>(t);
  double start = 0;
  for (std::size_t i = 0; i < phases_.size(); ++i) {
    const Phase& p = phases_[i];
    if (step <= p.end_step || i + 1 == phases_.size()) {
      const double pct = (step - start) / (p.end_step - start);
      if (anneal_ == Anneal::linear) return (p.to - p.from) * pct + p.from;
      const double cos_out = portable_cos(kPi * pct) + 1;
      return p.to + (p.from - p.to) / 2.0 * cos_out;
    }
    start = p.end_step;
  }
  return phases_.back().to;  // not reached: the last phase always answers
}

double OneCycleLR::first_rate(double) { return rate_at(0); }
double OneCycleLR::next_rate(double, double) { return rate_at(steps()); }

// ---- ReduceLROnPlateau ------------------------------------------------------------------------

ReduceLROnPlateau::ReduceLROnPlateau(Mode mode, double factor, std::size_t patience, double threshold,
                                     ThresholdMode threshold_mode, std::size_t cooldown, double min_lr, double eps)
    : mode_(mode),
      factor_(factor),
      patience_(patience),
      threshold_(threshold),
      threshold_mode_(threshold_mode),
      cooldown_(cooldown),
      min_lr_(min_lr),
      eps_(eps) {
  if (!(factor < 1.0)) throw std::invalid_argument("ReduceLROnPlateau: factor must be < 1");
  reset();
}

std::string ReduceLROnPlateau::describe() const {
  return fmt::format("ReduceLROnPlateau({}, factor={}, patience={}, threshold={} {}, cooldown={}, min_lr={}, eps={})",
                     mode_ == Mode::min ? "min" : "max", factor_, patience_, threshold_,
                     threshold_mode_ == ThresholdMode::rel ? "rel" : "abs", cooldown_, min_lr_, eps_);
}

void ReduceLROnPlateau::reset() {
  best_ = mode_ == Mode::min ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  bad_epochs_ = 0;
  cooldown_counter_ = 0;
}

bool ReduceLROnPlateau::is_better(double m) const {
  if (mode_ == Mode::min)
    return threshold_mode_ == ThresholdMode::rel ? m < best_ * (1.0 - threshold_) : m < best_ - threshold_;
  return threshold_mode_ == ThresholdMode::rel ? m > best_ * (threshold_ + 1.0) : m > best_ + threshold_;
}

double ReduceLROnPlateau::next_rate(double eta, double metric) {
  if (is_better(metric)) {
    best_ = metric;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (cooldown_counter_ > 0) {  // in cooldown: bad epochs do not count
    --cooldown_counter_;
    bad_epochs_ = 0;
  }
  if (bad_epochs_ > patience_) {
    const double lowered = std::max(eta * factor_, min_lr_);
    if (eta - lowered > eps_) eta = lowered;  // a change of eps or less is not made
    cooldown_counter_ = cooldown_;
    bad_epochs_ = 0;
  }
  return eta;
}

// ---- by name ------------------------------------------------------------------------------------

namespace {

std::string shown(const Json& v) { return clip(v.dump()); }

double number_in(const Json& s, const char* owner, const char* key, double low, double high, bool low_open,
                 bool high_open, const char* expected) {
  const Json& v = s.at(key);
  const bool ok = v.is_number() && std::isfinite(v.get<double>()) &&
                  (low_open ? v.get<double>() > low : v.get<double>() >= low) &&
                  (high_open ? v.get<double>() < high : v.get<double>() <= high);
  if (!ok) throw SettingError(owner, key, expected, shown(v));
  return v.get<double>();
}
constexpr double kInf = std::numeric_limits<double>::infinity();
double positive(const Json& s, const char* owner, const char* key) {
  return number_in(s, owner, key, 0, kInf, true, true, "a number > 0");
}
double non_negative(const Json& s, const char* owner, const char* key) {
  return number_in(s, owner, key, 0, kInf, false, true, "a number ≥ 0");
}
std::size_t whole(const Json& s, const char* owner, const char* key, std::size_t min, const char* expected) {
  const Json& v = s.at(key);
  if (!v.is_number_integer() || (v.is_number_integer() && v.get<long long>() < static_cast<long long>(min)) ||
      (v.is_number_integer() && v.get<long long>() > 1'000'000'000'000LL))
    throw SettingError(owner, key, expected, shown(v));
  return static_cast<std::size_t>(v.get<long long>());
}
std::string choice(const Json& s, const char* owner, const char* key, std::initializer_list<const char*> choices) {
  const Json& v = s.at(key);
  if (v.is_string())
    for (const char* c : choices)
      if (v.get<std::string>() == c) return c;
  std::vector<std::string> names(choices.begin(), choices.end());
  throw SettingError(owner, key, fmt::format("one of {}", fmt::join(names, ", ")), shown(v));
}
bool boolean(const Json& s, const char* owner, const char* key) {
  const Json& v = s.at(key);
  if (!v.is_boolean()) throw SettingError(owner, key, "true or false", shown(v));
  return v.get<bool>();
}

std::unique_ptr<Schedule> make_one_cycle(const Json& s) {
  const char* owner = "schedule one_cycle";
  const double max_lr = positive(s, owner, "max_lr");
  // total_steps, or epochs × steps_per_epoch (PyTorch takes one or the other)
  std::size_t total = 0;
  const bool has_total = !s.at("total_steps").is_null();
  const bool has_epochs = !s.at("epochs").is_null() || !s.at("steps_per_epoch").is_null();
  if (has_total && has_epochs)
    throw SettingError(owner, "total_steps", "given alone, or else epochs and steps_per_epoch (not both ways)",
                       shown(s.at("total_steps")));
  if (has_total) {
    total = whole(s, owner, "total_steps", 1, "a whole number ≥ 1");
  } else if (has_epochs) {
    if (s.at("epochs").is_null()) throw SettingError(owner, "epochs", "a whole number ≥ 1 with steps_per_epoch", "null");
    if (s.at("steps_per_epoch").is_null())
      throw SettingError(owner, "steps_per_epoch", "a whole number ≥ 1 with epochs", "null");
    total = whole(s, owner, "epochs", 1, "a whole number ≥ 1") *
            whole(s, owner, "steps_per_epoch", 1, "a whole number ≥ 1");
  } else {
    throw SettingError(owner, "total_steps", "a whole number ≥ 1 (or epochs and steps_per_epoch)", "nothing");
  }
  const double pct_start = number_in(s, owner, "pct_start", 0, 1, false, false, "a number in [0, 1]");
  const auto anneal = choice(s, owner, "anneal_strategy", {"cos", "linear"}) == "cos" ? OneCycleLR::Anneal::cos
                                                                                       : OneCycleLR::Anneal::linear;
  const double div = positive(s, owner, "div_factor");
  const double final_div = positive(s, owner, "final_div_factor");
  const bool three = boolean(s, owner, "three_phase");
  try {
    return std::make_unique<OneCycleLR>(max_lr, total, pct_start, anneal, div, final_div, three);
  } catch (const std::invalid_argument& e) {
    throw SettingError(owner, "pct_start", "such that no phase has zero steps", shown(s.at("pct_start")));
  }
}

std::unique_ptr<Schedule> make_plateau(const Json& s) {
  const char* owner = "schedule plateau";
  const auto mode = choice(s, owner, "mode", {"min", "max"}) == "min" ? ReduceLROnPlateau::Mode::min
                                                                     : ReduceLROnPlateau::Mode::max;
  const double factor = number_in(s, owner, "factor", 0, 1, true, true, "a number in (0, 1)");
  const std::size_t patience = whole(s, owner, "patience", 0, "a whole number ≥ 0");
  const double threshold = non_negative(s, owner, "threshold");
  const auto threshold_mode = choice(s, owner, "threshold_mode", {"rel", "abs"}) == "rel"
                                  ? ReduceLROnPlateau::ThresholdMode::rel
                                  : ReduceLROnPlateau::ThresholdMode::abs;
  const std::size_t cooldown = whole(s, owner, "cooldown", 0, "a whole number ≥ 0");
  const double min_lr = non_negative(s, owner, "min_lr");
  const double eps = non_negative(s, owner, "eps");
  return std::make_unique<ReduceLROnPlateau>(mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps);
}

}  // namespace

const std::vector<ScheduleEntry>& schedule_table() {
  static const std::vector<ScheduleEntry> table = {
      {"step", "StepLR", ScheduleUnit::epoch, "η_t = η₀·γ^⌊t/step_size⌋",
       {{"step_size", "a whole number ≥ 1", "epochs between decays", nullptr},
        {"gamma", "a number > 0", "γ, the factor at each decay", 0.1}},
       [](const Json& s) -> std::unique_ptr<Schedule> {
         return std::make_unique<StepLR>(whole(s, "schedule step", "step_size", 1, "a whole number ≥ 1"),
                                         positive(s, "schedule step", "gamma"));
       }},
      {"exponential", "ExponentialLR", ScheduleUnit::epoch, "η_t = η₀·γᵗ",
       {{"gamma", "a number > 0", "γ, the factor per epoch", nullptr}},
       [](const Json& s) -> std::unique_ptr<Schedule> {
         return std::make_unique<ExponentialLR>(positive(s, "schedule exponential", "gamma"));
       }},
      {"cosine", "CosineAnnealingLR", ScheduleUnit::epoch, "η_t = η_min + ½(η₀ − η_min)(1 + cos(π·t/T_max))",
       {{"T_max", "a whole number ≥ 1", "epochs from η₀ down to η_min", nullptr},
        {"eta_min", "a number ≥ 0", "η_min, the lowest rate", 0.0}},
       [](const Json& s) -> std::unique_ptr<Schedule> {
         return std::make_unique<CosineAnnealingLR>(whole(s, "schedule cosine", "T_max", 1, "a whole number ≥ 1"),
                                                    non_negative(s, "schedule cosine", "eta_min"));
       }},
      {"one_cycle", "OneCycleLR", ScheduleUnit::batch,
       "η rises from max_lr/div_factor to max_lr over pct_start of the steps, then anneals to "
       "max_lr/(div_factor·final_div_factor)",
       {{"max_lr", "a number > 0", "the peak rate", nullptr},
        {"total_steps", "a whole number ≥ 1", "optimizer steps in the cycle (default: the run's)", Json(), true},
        {"epochs", "a whole number ≥ 1", "with steps_per_epoch, in place of total_steps", Json(), true},
        {"steps_per_epoch", "a whole number ≥ 1", "with epochs, in place of total_steps", Json(), true},
        {"pct_start", "a number in [0, 1]", "the share of the steps that raise the rate", 0.3},
        {"anneal_strategy", "cos or linear", "the shape of each phase", "cos"},
        {"div_factor", "a number > 0", "max_lr / the first rate", 25.0},
        {"final_div_factor", "a number > 0", "the first rate / the last", 1e4},
        {"three_phase", "true or false", "come back down to the first rate before annealing", false}},
       make_one_cycle},
      {"plateau", "ReduceLROnPlateau", ScheduleUnit::epoch,
       "η ← max(η·factor, min_lr) after more than `patience` epochs without improvement",
       {{"mode", "min or max", "whether the metric should fall or rise", "min"},
        {"factor", "a number in (0, 1)", "the factor of each reduction", 0.1},
        {"patience", "a whole number ≥ 0", "bad epochs tolerated", 10},
        {"threshold", "a number ≥ 0", "how much better counts as better", 1e-4},
        {"threshold_mode", "rel or abs", "threshold relative to the best, or absolute", "rel"},
        {"cooldown", "a whole number ≥ 0", "epochs after a reduction in which bad epochs are not counted", 0},
        {"min_lr", "a number ≥ 0", "the lowest rate", 0.0},
        {"eps", "a number ≥ 0", "a smaller change of the rate is not made", 1e-8}},
       make_plateau},
  };
  return table;
}

std::vector<std::string> schedule_names() {
  std::vector<std::string> names;
  for (const ScheduleEntry& e : schedule_table()) names.emplace_back(e.name);
  return names;
}

const ScheduleEntry& schedule_entry(std::string_view name) {
  for (const ScheduleEntry& e : schedule_table())
    if (name == e.name) return e;
  std::string message = fmt::format("unknown schedule \"{}\"", name);
  if (auto near = did_you_mean(name, schedule_names())) message += fmt::format(" (did you mean \"{}\"?)", *near);
  throw InputError(fmt::format("{}; known: {}", message, fmt::join(schedule_names(), ", ")));
}

std::unique_ptr<Schedule> make_schedule(std::string_view name, const Json& settings) {
  const ScheduleEntry& entry = schedule_entry(name);
  const std::string owner = fmt::format("schedule {}", entry.name);
  if (!settings.is_null() && !settings.is_object())
    throw InputError(fmt::format("{}: settings must be a JSON object, got {}", owner, shown(settings)));
  std::vector<std::string> keys;
  for (const ScheduleSetting& s : entry.settings) keys.emplace_back(s.key);
  if (settings.is_object())
    for (const auto& item : settings.items())
      if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
        std::string detail = fmt::format("{}: unknown option \"{}\"", owner, item.key());
        if (auto near = did_you_mean(item.key(), keys)) detail += fmt::format(" (did you mean \"{}\"?)", *near);
        throw InputError(fmt::format("{}; known: {}", detail, fmt::join(keys, ", ")));
      }
  Json completed = Json::object();  // every setting, given or default (null: optional and absent)
  for (const ScheduleSetting& s : entry.settings) {
    if (settings.is_object() && settings.contains(s.key))
      completed[s.key] = settings.at(s.key);
    else if (!s.fallback.is_null() || s.optional)
      completed[s.key] = s.fallback;
    else
      throw InputError(fmt::format("{}: missing option \"{}\": expected {} ({})", owner, s.key, s.expected, s.meaning));
  }
  return entry.make(completed);
}

}  // namespace glassbox
