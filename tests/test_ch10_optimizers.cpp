// Chapter 10: the program's claims, checked on its own trace (and, for the Adam step, on what it
// prints): for one budget of gradients, stochastic descent is noisier than mini-batches and no kind
// beats the least loss possible; a surface run that claims to have reached its goal did; tuning
// never does worse than a default it tried; the Adam step's numbers follow Adam's rule from its own
// gradients and are the numbers of the "update" events and of the printed table; schedules give
// the rates their formulas give; the range test's rates rise geometrically and it stops by its rule;
// coupled and decoupled weight decay end in different weights. And a missing data file is a usage
// error that writes nothing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "chapter_run.hpp"
#include "trace_events.hpp"

using nlohmann::json;
using glassbox::testing::events;

namespace {

const std::string kArgs = "--seed 7 --trace-level full --data " + glassbox::testing::iris_path();

const json& trace() { return glassbox::testing::trace_of("ch10_optimizers", kArgs); }

double d(const json& v) { return v.get<double>(); }

// What the program prints (stdout) for `arguments`, with its trace sent to /dev/null.
std::string printed(const std::string& arguments) {
  const std::string command = std::string(GLASSBOX_BINARY_DIR "/bin/ch10_optimizers --trace /dev/null ") + arguments;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  REQUIRE(::pclose(pipe) == 0);
  return out;
}

}  // namespace

TEST_CASE("ch10: for one budget of gradients, SGD is noisier than mini-batches and none beats the least loss", "[ch10]") {
  std::map<std::string, json> kinds;
  for (const json& e : events(trace(), "gd_variant")) kinds[e["descent"]] = e;
  REQUIRE(kinds.size() == 3);
  const auto budget = kinds["batch"]["gradient_evaluations"].get<std::size_t>();
  for (const auto& [name, e] : kinds) {
    INFO(name);
    CHECK(e["gradient_evaluations"].get<std::size_t>() == budget);
    // N = 200 samples per pass: updates = passes · ⌈200 / B⌉
    CHECK(e["updates"].get<std::size_t>() * e["batch_size"].get<std::size_t>() == budget);
    CHECK(d(e["final_loss"]) >= d(e["least_possible_loss"]));
    CHECK(d(e["last_epoch_mean"]) >= d(e["least_possible_loss"]));
  }
  CHECK(kinds["batch"]["updates"] == kinds["batch"]["loss_after_each_epoch"].size());
  CHECK(d(kinds["batch"]["last_epoch_std"]) == 0);  // one update per pass: nothing to spread
  CHECK(d(kinds["stochastic"]["last_epoch_std"]) > 10 * d(kinds["mini-batch"]["last_epoch_std"]));
  // after the same budget, mini-batch descent is at the bottom (how far batch descent got depends on
  // the start the seed draws, so it is not checked)
  CHECK(d(kinds["mini-batch"]["final_loss"]) < 1.05 * d(kinds["mini-batch"]["least_possible_loss"]));
}

TEST_CASE("ch10: a surface run that claims its goal reached it, within the step budget", "[ch10]") {
  const std::map<std::string, std::pair<double, double>> minima{{"bowl", {0, 0}}, {"rosenbrock", {1, 1}}, {"beale", {3, 0.5}}};
  const auto runs = events(trace(), "surface_run");
  REQUIRE(runs.size() == 40);  // 10 optimizers (AdamW left out) on 4 surfaces
  std::map<std::string, std::set<std::string>> seen;
  std::size_t reached = 0;
  for (const json& r : runs) {
    INFO(r.dump());
    seen[r["surface"]].insert(r["label"].get<std::string>());
    CHECK(r["steps"].get<int>() <= 3000);
    if (r["diverged"] == true) CHECK(r["reached"] == false);
    if (r["reached"] != true) continue;
    ++reached;
    const double x = d(r["end"][0]), y = d(r["end"][1]);
    if (r["surface"] == "saddle") {
      CHECK(std::abs(y) >= 2);
    } else {
      const auto [mx, my] = minima.at(r["surface"]);
      CHECK(std::hypot(x - mx, y - my) < 0.01);
    }
  }
  for (const auto& [surface, labels] : seen) CHECK(labels.size() == 10);
  CHECK(reached >= 20);  // most optimizers get there on most surfaces
}

TEST_CASE("ch10: on the saddle, Adam leaves sooner than plain SGD: it rescales the tiny gradient along y", "[ch10]") {
  std::map<std::string, json> saddle;
  for (const json& r : events(trace(), "surface_run"))
    if (r["surface"] == "saddle") saddle[r["label"]] = r;
  REQUIRE(saddle.count("Adam") == 1);
  REQUIRE(saddle.count("SGD") == 1);
  CHECK(saddle["Adam"]["reached"] == true);
  CHECK(saddle["SGD"]["reached"] == true);
  CHECK(saddle["Adam"]["steps"].get<int>() < saddle["SGD"]["steps"].get<int>());
}

TEST_CASE("ch10: on iris, tuning never does worse than a default rate it tried", "[ch10]") {
  const std::set<double> grid{0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3};
  const auto runs = events(trace(), "optimizer_run");
  REQUIRE(runs.size() == 11);
  for (const json& r : runs) {
    INFO(r.dump().substr(0, 400));
    CHECK(grid.count(d(r["tuned_learning_rate"])) == 1);
    CHECK(r["tuned_losses"].size() == 100);
    if (grid.count(d(r["default_learning_rate"])) && r["default_loss"].is_number())
      CHECK(d(r["tuned_loss"]) <= d(r["default_loss"]));
    CHECK(d(r["tuned_test_accuracy"]) > 0.8);
  }
}

TEST_CASE("ch10: the Adam steps follow Adam's rule from their own gradients, as the update events and the printout say",
          "[ch10]") {
  const auto steps = events(trace(), "adam_step");
  REQUIRE(steps.size() == 3);
  const double b1 = 0.9, b2 = 0.999, eta = 0.1, eps = 1e-8;
  std::map<std::string, json> previous;
  double b1t = 1, b2t = 1;
  for (std::size_t t = 1; t <= 3; ++t) {
    const json& s = steps[t - 1];
    REQUIRE(s["step"] == t);
    b1t *= b1;
    b2t *= b2;
    for (const auto& [name, p] : s["parameters"].items()) {
      for (std::size_t r = 0; r < p["g"].size(); ++r)
        for (std::size_t c = 0; c < p["g"][r].size(); ++c) {
          INFO(name << "(" << r << ", " << c << ") at t = " << t);
          const double g = d(p["g"][r][c]);
          const double m0 = t == 1 ? 0 : d(previous[name]["m"][r][c]), v0 = t == 1 ? 0 : d(previous[name]["v"][r][c]);
          // m = β₁m + (1 − β₁)g ; v = β₂v + (1 − β₂)g² ; m̂ = m/(1 − β₁ᵗ) ; v̂ = v/(1 − β₂ᵗ) ; Δθ = −η·m̂/(√v̂ + ε)
          const double m = b1 * m0 + (1 - b1) * g, v = b2 * v0 + (1 - b2) * g * g;
          const double m_hat = m / (1 - b1t), v_hat = v / (1 - b2t);
          CHECK(d(p["m"][r][c]) == Approx(m).epsilon(1e-12));
          CHECK(d(p["v"][r][c]) == Approx(v).epsilon(1e-12));
          CHECK(d(p["m_hat"][r][c]) == Approx(m_hat).epsilon(1e-12));
          CHECK(d(p["v_hat"][r][c]) == Approx(v_hat).epsilon(1e-12));
          CHECK(d(p["denominator"][r][c]) == Approx(std::sqrt(v_hat) + eps).epsilon(1e-12));
          CHECK(d(p["update"][r][c]) == Approx(-eta * m_hat / (std::sqrt(v_hat) + eps)).epsilon(1e-12));
          if (t == 1) CHECK(std::abs(d(p["update"][r][c])) == Approx(eta).epsilon(1e-6));  // ≈ −η·sign(g)
        }
      previous[name] = p;
    }
  }
  // the update events of these steps (level full) hold the same Δθ, bit for bit
  const auto updates = events(trace(), "update");
  REQUIRE(updates.size() == 6);  // 3 steps × (W, b)
  for (const json& u : updates) {
    INFO(u.dump());
    const json& s = steps[u["step"].get<std::size_t>() - 1];
    CHECK(u["update"] == s["parameters"][u["parameter"].get<std::string>()]["update"]);
  }
  // and the printed table shows them (6 significant digits)
  const std::string out = printed("--seed 7 --data " + glassbox::testing::iris_path());
  for (const auto& [name, p] : steps[1]["parameters"].items()) {
    INFO(name);
    CHECK(out.find(fmt::format("{:.6g}", d(p["m_hat"][0][0]))) != std::string::npos);
    CHECK(out.find(fmt::format("{:.6g}", d(p["update"][0][0]))) != std::string::npos);
  }
}

TEST_CASE("ch10: the schedules give the rates their formulas give", "[ch10]") {
  std::map<std::string, json> by_kind;
  for (const json& e : events(trace(), "schedule_rates")) by_kind[e["schedule"].get<std::string>().substr(0, 8)] = e;
  REQUIRE(by_kind.size() == 5);
  const auto& step = by_kind["StepLR(s"]["rates"];
  const auto& exponential = by_kind["Exponent"]["rates"];
  const auto& cosine = by_kind["CosineAn"]["rates"];
  REQUIRE(step.size() == 100);
  for (std::size_t t = 0; t < 100; ++t) {
    INFO("t = " << t);
    // StepLR(30, 0.1): 0.1·0.1^⌊t/30⌋ ; ExponentialLR(0.95): 0.1·0.95ᵗ ; cosine: 0.05·(1 + cos(πt/100))
    CHECK(d(step[t]) == Approx(0.1 * std::pow(0.1, static_cast<double>(t / 30))).epsilon(1e-12));
    CHECK(d(exponential[t]) == Approx(0.1 * std::pow(0.95, static_cast<double>(t))).epsilon(1e-12));
    CHECK(d(cosine[t]) == Approx(0.05 * (1 + std::cos(M_PI * static_cast<double>(t) / 100))).epsilon(1e-9).margin(1e-15));
  }
  // ReduceLROnPlateau: never rises, each change halves it, and it did change
  const auto& plateau = by_kind["ReduceLR"]["rates"];
  std::size_t drops = 0;
  for (std::size_t t = 1; t < plateau.size(); ++t) {
    CHECK(d(plateau[t]) <= d(plateau[t - 1]));
    if (d(plateau[t]) != d(plateau[t - 1])) {
      ++drops;
      CHECK(d(plateau[t]) == d(plateau[t - 1]) * 0.5);
    }
  }
  CHECK(drops >= 1);
}

TEST_CASE("ch10: the range test's rates rise geometrically from 1e-7 and its suggestions are rates it tried", "[ch10]") {
  const auto tests = events(trace(), "lr_range_test");
  REQUIRE(tests.size() == 1);
  const json& r = tests[0];
  const auto& rates = r["learning_rates"];
  REQUIRE(rates.size() >= 6);
  CHECK(d(rates[0]) == 1e-7);
  const double ratio = std::pow(10 / 1e-7, 1.0 / 100);  // (end/start)^(1/num_it)
  for (std::size_t i = 1; i < rates.size(); ++i) CHECK(d(rates[i]) / d(rates[i - 1]) == Approx(ratio).epsilon(1e-9));
  REQUIRE(r["suggestions"].contains("valley"));
  bool tried = false;
  for (const auto& x : rates) tried = tried || x == r["suggestions"]["valley"]["learning_rate"];
  CHECK(tried);
}

TEST_CASE("ch10: the range test stops when its smoothed loss passes 4× its best, and not before", "[ch10]") {
  // smooth_i = avg_i/(1 − 0.98^(i+1)), avg_i = 0.98·avg_{i−1} + 0.02·loss_i: recomputed from the
  // batch losses; every iteration but the last stays within 4× the least smoothed loss so far, and
  // the last passes it — the chapter's network shows a real blow-up, not the end of the 100 batches.
  const auto tests = events(trace(), "lr_range_test");
  REQUIRE(tests.size() == 1);
  const json& r = tests[0];
  const auto& losses = r["losses"];
  const auto& smoothed = r["smoothed"];
  REQUIRE(losses.size() == smoothed.size());
  REQUIRE(losses.size() >= 2);
  CHECK(r["stopped"] == "diverged");
  CHECK(losses.size() < 100);
  double avg = 0, power = 1, best = INFINITY;
  for (std::size_t i = 0; i < losses.size(); ++i) {
    avg = 0.98 * avg + 0.02 * d(losses[i]);
    power *= 0.98;
    const double smooth = avg / (1 - power);
    CHECK(d(smoothed[i]) == Approx(smooth).epsilon(1e-12));
    best = std::min(best, smooth);
    if (i + 1 < losses.size())
      CHECK(smooth <= 4 * best);
    else
      CHECK(smooth > 4 * best);
  }
}

TEST_CASE("ch10: Adam's coupled weight decay and AdamW's decoupled one, at the same λ, end in different weights", "[ch10]") {
  const auto runs = events(trace(), "weight_decay_run");
  REQUIRE(runs.size() == 3);
  const json& none = runs[0];
  const json& coupled = runs[1];
  const json& decoupled = runs[2];
  CHECK_THAT(none["optimizer"].get<std::string>(), Catch::StartsWith("Adam(") && !Catch::Contains("λ"));
  CHECK_THAT(coupled["optimizer"].get<std::string>(), Catch::StartsWith("Adam(") && Catch::Contains("λ=0.1"));
  CHECK_THAT(decoupled["optimizer"].get<std::string>(), Catch::StartsWith("AdamW(") && Catch::Contains("λ=0.1"));
  // the norm of all parameters is the root of the sum of the squared norms of each
  for (const json& r : runs) {
    double sum = 0;
    for (const auto& [name, n] : r["parameter_norms"].items()) sum += d(n) * d(n);
    CHECK(d(r["norm"]) == Approx(std::sqrt(sum)).epsilon(1e-12));
  }
  // both decays shrink the weights; the coupled one, whose λθ is divided by √v̂ ≈ λ|θ| where the
  // data's gradient is small, much more than AdamW's fixed fraction η·λ = 0.001 a step
  CHECK(d(coupled["norm"]) < d(none["norm"]));
  CHECK(d(decoupled["norm"]) < d(none["norm"]));
  CHECK(d(coupled["norm"]) < 0.8 * d(decoupled["norm"]));
  CHECK(d(coupled["final_loss"]) > d(decoupled["final_loss"]));
}

TEST_CASE("ch10: a missing iris file is an input error naming the path, and no trace is written", "[ch10]") {
  const auto run = glassbox::testing::run_chapter("ch10_optimizers", "missing", "--data no/such/iris.csv");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.stderr_text, Catch::Contains("no/such/iris.csv"));
  CHECK_FALSE(run.trace_written);
}
