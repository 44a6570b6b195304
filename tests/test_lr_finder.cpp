// Tests for glassbox/train/lr_finder.hpp: the rising rate, the smoothed and debiased loss and the
// stopping rule worked by hand; fastai's three suggestion rules on small lists and on a loss curve
// with a known answer; and one real range test on a small network, which leaves the network and the
// optimizer as they were.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "glassbox/data/synthetic.hpp"
#include "glassbox/train/lr_finder.hpp"

using namespace glassbox;

TEST_CASE("the rate rises exponentially: η_i = start·(end/start)^(i/n)", "[train]") {
  const LrRangeTest test;  // 1e-7 → 10 over 100
  CHECK(test.rate(0) == 1e-7);
  CHECK(test.rate(50) == Approx(1e-3).epsilon(1e-13));   // 1e-7·(1e8)^½
  CHECK(test.rate(99) == Approx(1e-7 * std::pow(1e8, 0.99)).epsilon(1e-13));  // short of 10: i/n, as fastai
  CHECK(test.rate(100) == Approx(10).epsilon(1e-13));
  CHECK(LrRangeTest({.num_it = 3}).num_it() == 6);  // fastai raises fewer than 6
  CHECK_THROWS_AS(LrRangeTest({.start_lr = 1, .end_lr = 0.5}), std::invalid_argument);
  CHECK_THROWS_AS(LrRangeTest({.start_lr = 0}), std::invalid_argument);
}

TEST_CASE("the smoothed loss: avg = β·avg + (1 − β)·loss, debiased by 1 − β^(i+1)", "[train]") {
  LrRangeTest test;
  test.record(2.0);  // avg = 0.02·2 = 0.04; smooth = 0.04/(1 − 0.98) = 2
  test.record(1.0);  // avg = 0.98·0.04 + 0.02·1 = 0.0592; smooth = 0.0592/(1 − 0.9604) = 1.494949…
  const LrFindResult r = test.result();
  CHECK(r.smoothed[0] == Approx(2.0).epsilon(1e-14));
  CHECK(r.smoothed[1] == Approx(0.0592 / 0.0396).epsilon(1e-14));
  CHECK(r.losses == std::vector<double>{2.0, 1.0});
  CHECK(r.learning_rates[1] == test.rate(1));
}

TEST_CASE("the test stops when the smoothed loss passes 4× its best, after n iterations, or on NaN", "[train]") {
  // A loss of 1 for 50 iterations keeps smooth = 1 (a constant is its own debiased average), with
  // avg_49 = 1 − β⁵⁰. Then a jump to J at i = 50: avg_50 = β(1 − β⁵⁰) + 0.02·J, smooth = avg_50/(1 − β⁵¹).
  //   J = 100: (0.98 − 0.98⁵¹ + 2)/(1 − 0.98⁵¹) = 4.078… > 4: stops at i = 50 (51 iterations)
  //   J = 90:  (0.98 − 0.98⁵¹ + 1.8)/(1 − 0.98⁵¹) = 3.767… ≤ 4, and then
  //            avg_51 = 0.98·avg_50 + 1.8 → smooth = 6.42… > 4: stops at i = 51 (52 iterations)
  const auto run = [](double jump) {
    LrRangeTest test;
    for (std::size_t i = 0; test.record(i < 50 ? 1.0 : jump); ++i) {
    }
    return test.result();
  };
  const LrFindResult a = run(100), b = run(90);
  CHECK(a.stopped == "diverged");
  CHECK(a.losses.size() == 51);
  CHECK(a.smoothed.back() == Approx((0.98 - std::pow(0.98, 51) + 2) / (1 - std::pow(0.98, 51))).epsilon(1e-12));
  CHECK(b.stopped == "diverged");
  CHECK(b.losses.size() == 52);
  CHECK(b.smoothed[50] < 4);

  LrRangeTest flat;
  while (flat.record(1.0)) {
  }
  CHECK(flat.result().stopped == "num_it");
  CHECK(flat.iterations() == 100);
  CHECK_THROWS_AS(flat.record(1.0), std::logic_error);

  LrRangeTest broken;
  broken.record(1.0);
  CHECK_FALSE(broken.record(std::numeric_limits<double>::infinity()));
  CHECK(broken.result().stopped == "non_finite");
  CHECK(std::isnan(broken.result().smoothed.back()));

  LrRangeTest no_stop({.stop_div = false});
  for (int i = 0; i < 60; ++i) no_stop.record(i < 50 ? 1.0 : 100.0);
  CHECK_FALSE(no_stop.done());  // stop_div off: only n iterations end it
}

TEST_CASE("fastai's suggestion rules on small lists worked by hand", "[train]") {
  // valley: [5, 4, 3, 2, 1, 2, 3] — the longest decreasing subsequence is 5 4 3 2 1 (indices 0–4),
  // lds[4] = 5: max_end = 4, max_start = 4 − 5 = −1; s = 5/3; idx = −1 + 1 + ⌊0.83⌋ = 0.
  CHECK(valley_index({5, 4, 3, 2, 1, 2, 3}) == 0u);
  // [1, 5, 4, 3, 2, 1.5, 1.2, 1.1, 4]: 5 … 1.1 is indices 1–7, lds[7] = 7: max_start = 0;
  // s = 7/3; idx = 0 + 2 + ⌊1.17⌋ = 3.
  CHECK(valley_index({1, 5, 4, 3, 2, 1.5, 1.2, 1.1, 4}) == 3u);
  // A lone point: max_start = max_end = 0, idx 0. Two rising points: no decrease, idx 0.
  CHECK(valley_index({7}) == 0u);
  CHECK(valley_index({1, 2}) == 0u);
  // [2, 1]: lds[1] = 2, max_start = −1, s = 2/3, idx = −1: Python's lrs[−1], the last point.
  CHECK(valley_index({2, 1}) == 1u);
  CHECK_FALSE(valley_index({}).has_value());

  CHECK(minimum_index({3, 1, 2, 1}) == 1u);  // the first least
  // steep: slopes per unit of ln η for η = 10⁻³ … 1: −0.1/ln10, −0.9/ln10, +2/ln10 → k = 1
  CHECK(steep_index({1e-3, 1e-2, 1e-1, 1}, {2, 1.9, 1.0, 3}) == 1u);
  CHECK_FALSE(steep_index({1}, {1}).has_value());
}

TEST_CASE("the suggestions of a loss curve with a known answer", "[train]") {
  // With β = 0 the smoothed loss is the loss. Take x = log₁₀ η_i = −7 + 0.08·i and
  //   L = 2 − tanh(2(x + 4)) + 5·max(0, x + 1)²
  // falling (steepest at x = −4, i = 37.5), least at x = −1 (i = 75: beyond it the square grows
  // faster than tanh's last 10⁻⁵ fall), then rising.
  //   stop:    best = L(75) = 2 − tanh 6 ≈ 1.0000123; L > 4·best when 5(x + 1)² > 3.00005,
  //            x > −0.2254: i = 85 (x = −0.2, L ≈ 4.2); i = 84 gives 3.59. 86 iterations.
  //   window:  iterations ⌊100/10⌋ = 10 … 86 − 5 − 1 = 80
  //   minimum: i = 75, η = 10⁻¹; the suggestion is η/10 = 10⁻²
  //   steep:   the most negative difference is between i = 37 and 38 (centred on x = −4): η_37
  //   valley:  L falls from i = 10 to 75 — 66 points of the window, indices 0–65: max_end = 65,
  //            max_start = −1, s = 22, idx = −1 + 22 + 11 = 32 → i = 42
  LrRangeTest test({.beta = 0});
  for (std::size_t i = 0;; ++i) {
    const double x = std::log10(test.rate(i));
    const double L = 2 - std::tanh(2 * (x + 4)) + 5 * std::pow(std::max(0.0, x + 1), 2);
    if (!test.record(L)) break;
  }
  const LrFindResult r = test.result();
  CHECK(r.stopped == "diverged");
  CHECK(r.losses.size() == 86);
  REQUIRE(r.suggestions.size() == 3);
  const LrSuggestion* minimum = r.suggestion("minimum");
  REQUIRE(minimum);
  CHECK(minimum->iteration == 75);
  CHECK(minimum->learning_rate == Approx(1e-2).epsilon(1e-12));
  CHECK(minimum->marked_rate == Approx(1e-1).epsilon(1e-12));
  CHECK(r.suggestion("steep")->iteration == 37);
  CHECK(r.suggestion("steep")->learning_rate == test.rate(37));
  CHECK(r.suggestion("valley")->iteration == 42);
  CHECK(r.suggestion("valley")->learning_rate == test.rate(42));

  const std::string svg = r.plot().render();
  CHECK(svg.find("valley: η = ") != std::string::npos);
  CHECK(svg.find("smoothed loss") != std::string::npos);
  CHECK(r.to_json()["suggestions"]["steep"]["iteration"] == 37);
}

TEST_CASE("a range test on a real network: deterministic, and the network and optimizer left as they were",
          "[train]") {
  Rng data(3);
  const synthetic::LabelledPoints moons = synthetic::make_moons(200, 0.1, data);
  const Matrix& X = moons.X;
  const Matrix T = moons.targets();
  const auto run = [&] {
    Rng rng(7);
    Network net;
    net.dense(2, 16, rng).activation("relu").dense(16, 1, rng).activation("sigmoid");
    const Matrix W0 = net.parameter("layers[0].W").value;
    SGD sgd(0.1);
    TrainOptions training;
    training.batch_size = 16;
    const LrFindResult r = find_learning_rate(net, BinaryCrossEntropy(), sgd, X, T, rng, training);
    CHECK(net.parameter("layers[0].W").value == W0);
    CHECK(sgd.steps() == 0);
    CHECK(sgd.learning_rate() == 0.1);
    return r;
  };
  const LrFindResult a = run(), b = run();
  CHECK(a.to_json() == b.to_json());
  CHECK(a.losses.size() <= 100);
  CHECK(a.learning_rates.front() == 1e-7);
  REQUIRE(a.suggestion("valley"));
  const double valley = a.suggestion("valley")->learning_rate;
  CHECK(valley > 1e-6);
  CHECK(valley < 10);
  // the loss at the valley's point is below the loss the test started from
  CHECK(a.suggestion("valley")->marked_loss < a.smoothed.front());
}

TEST_CASE("the range test trains as train() would: with the clipping its options ask for", "[train]") {
  // Full batches (every iteration sees all 200 samples, so without any update every loss would be
  // the same) and clip_grad_value = 1e-9: each gradient entry is clamped to at most 1e-9, so one SGD
  // step moves a weight by at most η·1e-9 < 10·1e-9 = 1e-8, and 100 steps by less than 1e-6. The
  // loss then barely moves from L₀ and the test runs its 100 iterations. Without the clipping the
  // rate's rise to 10 moves the weights by whole units and the loss leaves L₀ far behind.
  Rng data(3);
  const synthetic::LabelledPoints moons = synthetic::make_moons(200, 0.1, data);
  const Matrix T = moons.targets();
  Rng rng(7);
  Network net;
  net.dense(2, 16, rng).activation("relu").dense(16, 1, rng).activation("sigmoid");
  const BinaryCrossEntropy bce;
  const double L0 = bce.value(net.forward(moons.X), T);
  SGD sgd(0.1);
  TrainOptions clipped;
  clipped.clip_grad_value = 1e-9;
  const LrFindResult r = find_learning_rate(net, bce, sgd, moons.X, T, rng, clipped);
  CHECK(r.stopped == "num_it");
  REQUIRE(r.losses.size() == 100);
  for (double L : r.losses) CHECK(L == Approx(L0).margin(1e-5));

  const LrFindResult free = find_learning_rate(net, bce, sgd, moons.X, T, rng, TrainOptions{});
  CHECK(std::abs(free.losses.back() - L0) > 0.01);  // the same test unclipped does move
}
