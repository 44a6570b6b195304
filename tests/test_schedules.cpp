// Tests for glassbox/train/schedules.hpp: each schedule's rates for PyTorch's defaults, worked from the
// formulas of torch.optim.lr_scheduler (the chainable get_lr each class follows, written out in the
// comments); ReduceLROnPlateau's "bad epochs > patience" rule, its cooldown, threshold, min_lr and
// eps on scripted metrics; the table by name and its messages; and train() stepping a per-batch
// schedule once per batch and a per-epoch one once per epoch, as the traced learning_rate shows.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "glassbox/train/schedules.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Steps a schedule by hand, as a PyTorch loop calls scheduler.step(metric).
std::vector<double> rates_with_metrics(Schedule& s, double eta, const std::vector<double>& metrics) {
  std::vector<double> rates{s.start(eta)};
  for (double m : metrics) rates.push_back(s.step(rates.back(), m));
  return rates;
}

}  // namespace

TEST_CASE("StepLR: γ = 0.1 every step_size epochs, multiplied into the rate in force", "[train]") {
  // PyTorch's docstring example: lr = 0.05 for epochs 0–29, 0.005 for 30–59, 0.0005 for 60–89.
  // get_lr: η unchanged unless t is a multiple of step_size, then η·γ (so 0.05·0.1, then (0.05·0.1)·0.1).
  const auto r = schedule_rates(StepLR(30), 0.05, 91);
  CHECK(r[0] == 0.05);
  CHECK(r[29] == 0.05);
  CHECK(r[30] == 0.05 * 0.1);
  CHECK(r[59] == 0.05 * 0.1);
  CHECK(r[60] == 0.05 * 0.1 * 0.1);
  CHECK(r[90] == 0.05 * 0.1 * 0.1 * 0.1);
  CHECK(r[60] == Approx(0.0005).epsilon(1e-15));
  CHECK(StepLR(30).unit() == ScheduleUnit::epoch);
  CHECK_THROWS_AS(StepLR(0), std::invalid_argument);
}

TEST_CASE("ExponentialLR: η·γ every epoch", "[train]") {
  // get_lr: η₀ at t = 0, then η·γ: 0.1, 0.1·0.9, 0.1·0.9·0.9, …
  const auto r = schedule_rates(ExponentialLR(0.9), 0.1, 4);
  CHECK(r == std::vector<double>{0.1, 0.1 * 0.9, 0.1 * 0.9 * 0.9, 0.1 * 0.9 * 0.9 * 0.9});
}

TEST_CASE("CosineAnnealingLR: half a cosine from η₀ to η_min over T_max epochs, then back up", "[train]") {
  // T_max = 4, η_min = 0 (the default), η₀ = 1. Closed form ½(1 + cos(πt/4)):
  //   t = 0: 1   1: ½(1 + √½) = 0.853553390593…   2: ½   3: ½(1 − √½) = 0.146446609406…   4: 0
  // Past T_max the chainable form goes on: at t = 5, t − 1 − T_max = 0 is a multiple of 2·T_max, so
  // η ← η + (η₀ − η_min)(1 − cos(π/4))/2 = 0 + 0.146446609406…; then the ratio form again:
  //   t = 6: ½, 7: 0.853553…, 8: 1 (the cosine's period is 2·T_max).
  const auto r = schedule_rates(CosineAnnealingLR(4), 1.0, 9);
  const double c = std::sqrt(0.5);
  CHECK(r[0] == 1.0);
  CHECK(r[1] == Approx(0.5 * (1 + c)).epsilon(1e-15));
  CHECK(r[2] == Approx(0.5).epsilon(1e-15));
  CHECK(r[3] == Approx(0.5 * (1 - c)).epsilon(1e-15));
  CHECK(r[4] == 0.0);  // (1 + cos π) = 0 exactly: cos(π) rounds to −1
  CHECK(r[5] == Approx(0.5 * (1 - c)).epsilon(1e-15));
  CHECK(r[6] == Approx(0.5).epsilon(1e-14));
  CHECK(r[7] == Approx(0.5 * (1 + c)).epsilon(1e-14));
  CHECK(r[8] == Approx(1.0).epsilon(1e-14));

  // η_min = 0.1, η₀ = 0.5, T_max = 10: η_t = 0.1 + 0.2·(1 + cos(πt/10)), the chain's values agreeing
  // with the closed form to rounding.
  const auto s = schedule_rates(CosineAnnealingLR(10, 0.1), 0.5, 11);
  for (std::size_t t = 0; t <= 10; ++t)
    CHECK(s[t] == Approx(0.1 + 0.2 * (1 + std::cos(kPi * static_cast<double>(t) / 10))).epsilon(1e-14));
  CHECK(s[10] == Approx(0.1).epsilon(1e-15));
}

TEST_CASE("OneCycleLR: from max_lr/25 up to max_lr over 30 % of the steps, then down to a 10⁴th of the start",
          "[train]") {
  // max_lr = 1, total_steps = 10, PyTorch's defaults: initial = 1/25 = 0.04, min = 0.04/10⁴ = 4e-6;
  // phase ends 0.3·10 − 1 = 2 and 10 − 1 = 9; cos anneal η = to + (from − to)/2·(1 + cos(π·pct)).
  //   t = 0: pct 0 → 0.04     t = 1: pct ½ → 1 + (0.04 − 1)/2·1 = 0.52     t = 2: pct 1 → 1
  //   t = 3: phase 2, pct (3 − 2)/(9 − 2) = 1/7 → 4e-6 + (1 − 4e-6)/2·(1 + cos(π/7))
  //   t = 9: pct 1 → 4e-6; t = 10 (the step after the last batch) pct 8/7, and no step after it.
  OneCycleLR one(1.0, 10);
  CHECK(one.unit() == ScheduleUnit::batch);
  const auto r = schedule_rates(one, 123.0, 11);  // η₀ is not used
  CHECK(r[0] == Approx(0.04).epsilon(1e-15));
  CHECK(r[1] == Approx(0.52).epsilon(1e-15));
  CHECK(r[2] == 1.0);
  CHECK(r[3] == Approx(4e-6 + (1 - 4e-6) / 2 * (1 + std::cos(kPi / 7))).epsilon(1e-15));
  CHECK(r[9] == Approx(4e-6).epsilon(1e-15));
  CHECK(r[10] == Approx(4e-6 + (1 - 4e-6) / 2 * (1 + std::cos(kPi * 8 / 7))).epsilon(1e-13));
  const auto s = one.clone();
  double eta = s->start(0.1);
  for (int t = 1; t <= 10; ++t) eta = s->step(eta);
  CHECK_THROWS_AS(s->step(eta), std::out_of_range);  // PyTorch: "Tried to step 11 times"

  // linear, three phases: ends 2, 2·0.3·10 − 2 = 4, 9: 0.04 → 1 → 0.04 → 4e-6 along straight lines.
  const auto l = schedule_rates(OneCycleLR(1.0, 10, 0.3, OneCycleLR::Anneal::linear, 25, 1e4, true), 1.0, 10);
  CHECK(l[1] == Approx(0.52).epsilon(1e-15));
  CHECK(l[2] == 1.0);
  CHECK(l[3] == Approx(0.52).epsilon(1e-15));
  CHECK(l[4] == Approx(0.04).epsilon(1e-15));
  CHECK(l[9] == Approx(4e-6).epsilon(1e-12));
  CHECK_THROWS_AS(OneCycleLR(1.0, 10, 0.1), std::invalid_argument);  // 0.1·10 − 1 = 0: a phase of no steps
}

TEST_CASE("ReduceLROnPlateau: a reduction after more than `patience` bad epochs, none in cooldown", "[train]") {
  // patience 2, factor ½, threshold 10 % (rel), cooldown 1. Better means m < best·0.9.
  //   m=10:  better than +∞ → best 10, bad 0                                   η 1
  //   9.5:   not < 9 → bad 1;  9.2: bad 2 (not > 2);  9.1: bad 3 > 2 → η ½, cooldown 1, bad 0
  //   8:     < 9 → best 8, bad 0; in cooldown: counter 0                        η ½
  //   8, 8:  bad 1, 2;  8: bad 3 → η ¼, cooldown 1
  //   8:     bad 1, but in cooldown: counter 0, bad 0;  8, 8: bad 1, 2;  8: bad 3 → η ⅛
  ReduceLROnPlateau plateau(ReduceLROnPlateau::Mode::min, 0.5, 2, 0.1, ReduceLROnPlateau::ThresholdMode::rel, 1);
  const auto r = rates_with_metrics(plateau, 1.0, {10, 9.5, 9.2, 9.1, 8, 8, 8, 8, 8, 8, 8, 8});
  CHECK(r == std::vector<double>{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125});
  CHECK(plateau.best() == 8);
  CHECK(plateau.bad_epochs() == 0);

  // PyTorch's defaults: patience 10: ten bad epochs keep η, the eleventh lowers it to η·0.1.
  ReduceLROnPlateau defaults;
  std::vector<double> flat(12, 1.0);
  const auto d = rates_with_metrics(defaults, 0.1, flat);
  CHECK(d[11] == 0.1);           // after the 1st (best) and 10 bad epochs
  CHECK(d[12] == 0.1 * 0.1);     // the 11th bad epoch: 11 > 10
  CHECK(defaults.unit() == ScheduleUnit::epoch);
  CHECK(defaults.needs_metric());
  CHECK_THROWS_AS(defaults.step(0.1), std::invalid_argument);  // no metric given

  // min_lr and eps: 1 → 0.1 → max(0.01, 0.05) = 0.05 → max(0.005, 0.05) = 0.05, a change of 0 ≤ eps.
  ReduceLROnPlateau floor(ReduceLROnPlateau::Mode::min, 0.1, 0, 1e-4, ReduceLROnPlateau::ThresholdMode::rel, 0, 0.05);
  CHECK(rates_with_metrics(floor, 1.0, {1, 1, 1, 1}) == std::vector<double>{1, 1, 0.1, 0.05, 0.05});

  // mode max, threshold abs 0.5: 1 → best; 1.4 is not > 1.5 (bad, > patience 0) → η·0.1; 2 > 1.5 → best.
  ReduceLROnPlateau rising(ReduceLROnPlateau::Mode::max, 0.1, 0, 0.5, ReduceLROnPlateau::ThresholdMode::abs);
  CHECK(rates_with_metrics(rising, 1.0, {1, 1.4, 2}) == std::vector<double>{1, 1, 0.1, 0.1});
  CHECK(rising.best() == 2);
  CHECK_THROWS_AS(ReduceLROnPlateau(ReduceLROnPlateau::Mode::min, 1.0), std::invalid_argument);  // factor < 1
}

TEST_CASE("schedules by name: defaults, unknown keys, bad values named by key", "[train]") {
  CHECK(schedule_names() == std::vector<std::string>{"step", "exponential", "cosine", "one_cycle", "plateau"});
  CHECK(make_schedule("step", Json{{"step_size", 3}})->describe() == "StepLR(step_size=3, γ=0.1)");
  CHECK(make_schedule("plateau", Json::object())->describe() ==
        "ReduceLROnPlateau(min, factor=0.1, patience=10, threshold=0.0001 rel, cooldown=0, min_lr=0, eps=1e-08)");
  CHECK(make_schedule("one_cycle", Json{{"max_lr", 0.1}, {"epochs", 3}, {"steps_per_epoch", 4}})->step_limit() == 12u);
  CHECK_THROWS_WITH(make_schedule("stepp", Json::object()),
                    "unknown schedule \"stepp\" (did you mean \"step\"?); known: step, exponential, cosine, "
                    "one_cycle, plateau");
  CHECK_THROWS_WITH(make_schedule("step", Json{{"step_size", 3}, {"gama", 0.5}}),
                    "schedule step: unknown option \"gama\" (did you mean \"gamma\"?); known: step_size, gamma");
  CHECK_THROWS_WITH(make_schedule("step", Json::object()),
                    "schedule step: missing option \"step_size\": expected a whole number ≥ 1 (epochs between decays)");
  try {
    (void)make_schedule("plateau", Json{{"factor", 1}});
    FAIL("factor 1 accepted");
  } catch (const SettingError& e) {
    CHECK(e.key() == "factor");
    CHECK(e.expected() == "a number in (0, 1)");
  }
  CHECK_THROWS_AS(make_schedule("cosine", Json{{"T_max", 2.5}}), SettingError);
  CHECK_THROWS_AS(make_schedule("one_cycle", Json{{"max_lr", 1}}), SettingError);  // no length
  CHECK_THROWS_AS(make_schedule("one_cycle", Json{{"max_lr", 1}, {"total_steps", 4}, {"epochs", 2}}), SettingError);
}

namespace {

const Matrix kX{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
const Matrix kT{{0}, {1}, {1}, {0}};

// Two epochs' worth of events from a step-level trace of a 2-batch-per-epoch run on XOR.
Json traced_run(const TrainOptions& options, double eta) {
  const std::filesystem::path dir = "schedules_test_output";
  std::filesystem::create_directories(dir);
  const auto path = dir / "run.json";
  Rng rng(5);
  Network net;
  net.dense(2, 3, rng).activation("tanh").dense(3, 1, rng).activation("sigmoid");
  SGD sgd(eta);
  {
    Tracer tracer(path, TraceLevel::step, {"test_schedules", 0, 5, Json::object(), net.describe()});
    train(net, BinaryCrossEntropy(), sgd, kX, kT, rng, options, tracer);
    tracer.finish();
  }
  std::ifstream in(path);
  return Json::parse(in)["events"];
}

std::vector<double> rates_of(const Json& events, const std::string& kind) {
  std::vector<double> rates;
  for (const Json& e : events)
    if (e["event"] == kind) rates.push_back(e["learning_rate"].get<double>());
  return rates;
}

}  // namespace

TEST_CASE("train(): a per-batch schedule is stepped after every step, a per-epoch one after every epoch",
          "[train]") {
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 2;  // 2 steps per epoch, 6 in all

  SECTION("OneCycleLR over the run's 6 steps: each step's rate is the schedule's next") {
    options.schedule = std::make_shared<OneCycleLR>(1.0, 6);
    const Json events = traced_run(options, 0.3);
    CHECK(rates_of(events, "step") == schedule_rates(OneCycleLR(1.0, 6), 0.3, 6));
    // an epoch records its first step's rate, and its last's when it differs
    for (const Json& e : events)
      if (e["event"] == "epoch") {
        const auto first = static_cast<std::size_t>(e["steps"].get<int>()) - 2;
        CHECK(e["learning_rate"] == schedule_rates(OneCycleLR(1.0, 6), 0.3, 6)[first]);
        CHECK(e["learning_rate_last"] == schedule_rates(OneCycleLR(1.0, 6), 0.3, 6)[first + 1]);
      }
    options.schedule = std::make_shared<OneCycleLR>(1.0, 5);  // too short for 6 steps: refused before training
    CHECK_THROWS_WITH(traced_run(options, 0.3), Catch::Contains("may be stepped 5 times; this run steps it 6 times"));
  }
  SECTION("StepLR(step_size 1, γ ½): one rate per epoch, halved between epochs") {
    options.schedule = std::make_shared<StepLR>(1, 0.5);
    const Json events = traced_run(options, 0.4);
    CHECK(rates_of(events, "step") == std::vector<double>{0.4, 0.4, 0.2, 0.2, 0.1, 0.1});
    CHECK(rates_of(events, "epoch") == std::vector<double>{0.4, 0.2, 0.1});
    for (const Json& e : events) CHECK_FALSE(e.contains("learning_rate_last"));
  }
  SECTION("ReduceLROnPlateau watches the epoch's loss") {
    // A rate so small the loss barely moves, and 50 % needed to count as better: epoch 1's loss is
    // the best (bad 0), epoch 2's is bad (1 > patience 0) → η·0.1 for epoch 3.
    options.schedule = std::make_shared<ReduceLROnPlateau>(ReduceLROnPlateau::Mode::min, 0.1, 0, 0.5);
    const Json events = traced_run(options, 1e-3);
    CHECK(rates_of(events, "epoch") == std::vector<double>{1e-3, 1e-3, 1e-3 * 0.1});
  }
  SECTION("without a schedule the rate is the optimizer's, in every step and epoch") {
    const Json events = traced_run(options, 0.25);
    CHECK(rates_of(events, "step") == std::vector<double>(6, 0.25));
    CHECK(rates_of(events, "epoch") == std::vector<double>(3, 0.25));
  }
}
