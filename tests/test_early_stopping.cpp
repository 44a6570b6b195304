// Tests for glassbox/train/early_stopping.hpp: Keras' EarlyStopping rule on scripted sequences of
// monitored values (the stop epoch, the best epoch, min_delta, baseline, the warm-up, the direction
// of accuracy), then through train(): the stop, the restored parameters, and the trace events.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <vector>

#include "glassbox/core/random.hpp"
#include "glassbox/train/early_stopping.hpp"
#include "glassbox/train/train.hpp"
#include "test_files.hpp"

using namespace glassbox;
using glassbox::testing::validates;

namespace {

// Feeds values for epochs 1, 2, …; returns the epoch at which it said stop (0: never).
std::size_t stop_epoch(EarlyStopping& es, const std::vector<double>& values) {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (es.update(i + 1, values[i]).stop) return i + 1;
  return 0;
}

EarlyStoppingOptions with(std::string monitor, double min_delta, std::size_t patience) {
  EarlyStoppingOptions o;
  o.monitor = std::move(monitor);
  o.min_delta = min_delta;
  o.patience = patience;
  return o;
}

}  // namespace

TEST_CASE("early stopping: patience counts epochs in a row without improvement", "[early_stopping]") {
  // val_loss 1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.76, 0.77 with patience 2:
  //   e1 1.0 < ∞ improves (best 1.0, wait 0); e2 0.8 improves (wait 0); e3 0.9: wait 1 < 2;
  //   e4 0.85: wait 2 ≥ 2 → stop at epoch 4. The best is epoch 2 (0.8).
  EarlyStopping es(with("val_loss", 0, 2));
  CHECK(stop_epoch(es, {1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.76, 0.77}) == 4);
  CHECK(es.best_epoch() == 2);
  CHECK(*es.best() == 0.8);
  CHECK(es.wait() == 2);
  CHECK(*es.stopped_epoch() == 4);
  CHECK(es.reason() == "no improvement in val_loss by more than 0 for 2 epochs (patience 2)");
  // patience 3: e5 0.7 improves in time (wait back to 0), then e6, e7, e8 wait 1, 2, 3 → stop at 8.
  EarlyStopping patient(with("val_loss", 0, 3));
  CHECK(stop_epoch(patient, {1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.76, 0.77}) == 8);
  CHECK(patient.best_epoch() == 5);
  // patience 0: the first epoch without improvement stops (e3), but never the first epoch itself.
  EarlyStopping hasty(with("val_loss", 0, 0));
  CHECK(stop_epoch(hasty, {1.0, 0.8, 0.9}) == 3);
  EarlyStopping nan_first(with("val_loss", 0, 0));
  CHECK(stop_epoch(nan_first, {std::numeric_limits<double>::quiet_NaN(), 1.0, 1.0}) == 3);  // e1 never stops
}

TEST_CASE("early stopping: an improvement must beat the best by more than min_delta", "[early_stopping]") {
  // min_delta 0.1: e1 1.0 improves; e2 0.95: 0.95 + 0.1 = 1.05 ≮ 1.0 → wait 1; e3 0.89: 0.99 < 1.0
  // improves (best 0.89); e4 0.80: 0.90 ≮ 0.89 → wait 1; e5 0.79: 0.89 ≮ 0.89 (equal) → wait 2 → stop.
  EarlyStopping es(with("val_loss", 0.1, 2));
  CHECK(stop_epoch(es, {1.0, 0.95, 0.89, 0.80, 0.79}) == 5);
  CHECK(es.best_epoch() == 3);
  CHECK(*es.best() == 0.89);
}

TEST_CASE("early stopping: accuracy is better when higher", "[early_stopping]") {
  // val_accuracy 0.5, 0.7, 0.7, 0.6 with patience 2: e2 improves; e3 equal (wait 1); e4 wait 2 → stop.
  EarlyStopping es(with("val_accuracy", 0, 2));
  CHECK(!es.minimizes());
  CHECK(stop_epoch(es, {0.5, 0.7, 0.7, 0.6}) == 4);
  CHECK(es.best_epoch() == 2);
  CHECK(monitor_minimizes("loss"));
  CHECK_FALSE(monitor_minimizes("accuracy"));
  CHECK_THROWS_AS(EarlyStopping(with("val_acc", 0, 1)), std::invalid_argument);
  CHECK_THROWS_AS(EarlyStopping(with("loss", -0.1, 1)), std::invalid_argument);
}

TEST_CASE("early stopping: the baseline holds the wait until it is beaten, the warm-up is not looked at",
          "[early_stopping]") {
  // baseline 0.5, patience 2: e1 0.9 improves on ∞ (best) but not on the baseline: wait stays 1;
  // e2 0.8 improves the best, not the baseline: wait 2 — but an improving epoch never stops;
  // e3 0.85 no improvement, wait 3 ≥ 2 → stop at 3, best epoch 2.
  EarlyStoppingOptions o = with("val_loss", 0, 2);
  o.baseline = 0.5;
  EarlyStopping es(o);
  CHECK(stop_epoch(es, {0.9, 0.8, 0.85}) == 3);
  CHECK(es.best_epoch() == 2);
  CHECK(es.reason() == "val_loss did not beat the baseline 0.5 in 3 epochs (patience 2)");
  // start_from_epoch 2: epochs 1 and 2 are skipped (their 5.0 and 0.1 never become the best).
  EarlyStoppingOptions w = with("loss", 0, 1);
  w.start_from_epoch = 2;
  EarlyStopping warm(w);
  CHECK_FALSE(warm.update(1, 5.0).looked);
  CHECK_FALSE(warm.update(2, 0.1).looked);
  CHECK(warm.update(3, 1.0).improved);
  CHECK(*warm.best() == 1.0);
  CHECK(warm.update(4, 1.0).stop);
}

TEST_CASE("early stopping: which weights to keep", "[early_stopping]") {
  EarlyStoppingOptions o = with("val_loss", 0, 5);
  o.restore_best_weights = true;
  EarlyStopping es(o);
  CHECK(es.update(1, std::numeric_limits<double>::quiet_NaN()).keep_weights);  // the first stand in as the best
  CHECK(es.best_epoch() == 1);
  CHECK(es.update(2, 1.0).keep_weights);
  CHECK_FALSE(es.update(3, 1.5).keep_weights);
  EarlyStopping plain(with("val_loss", 0, 5));
  CHECK_FALSE(plain.update(1, 1.0).keep_weights);  // nothing to keep without restore_best_weights
}

TEST_CASE("early stopping through train(): stops, restores the best epoch's parameters, traces both",
          "[early_stopping]") {
  // One weight, no bias, fitting y = w·x on (x, t) = (1, 1) with a validation target of 0:
  // every step moves w towards 1 and so away from the validation optimum w = 0, so val_loss
  // = (w·1 − 0)² … grows every epoch. With w₀ = 0.5 and SGD η = 0.25 on MSE:
  //   step: w ← w − η·2(w − 1) = w + 0.5(1 − w): 0.5 → 0.75 → 0.875 → …
  //   val_loss after epoch 1: 0.75² = 0.5625; epoch 2: 0.875² = 0.765625 (no improvement, wait 1);
  //   epoch 3: 0.9375² (wait 2 ≥ patience 2) → stop at epoch 3, restore epoch 1's w = 0.75.
  Network net;
  net.dense(Matrix{{0.5}}, Matrix{{0.0}});
  net.freeze("layers[0].b");
  const MeanSquaredError mse;
  SGD sgd(0.25);
  const Matrix X{{1}}, T{{1}}, Xv{{1}}, Tv{{0}};
  TrainOptions options;
  options.epochs = 10;
  options.early_stopping = with("val_loss", 0, 2);
  options.early_stopping->restore_best_weights = true;
  Rng rng(1);
  const std::filesystem::path path = "early_stopping_test_output/train.json";
  std::vector<EpochStats> history;
  {
    Tracer tracer(path, TraceLevel::summary, {"test_early_stopping", 0, 1, Json::object(), net.describe()});
    history = train(net, mse, sgd, X, T, ValidationSet{Xv, Tv}, rng, options, tracer);
    tracer.finish();
  }
  CHECK(validates(path));
  REQUIRE(history.size() == 3);
  CHECK(*history[0].val_loss == 0.5625);
  CHECK(*history[1].val_loss == 0.765625);
  CHECK(history[2].early_stopping->stop);
  CHECK(*history[2].early_stopping->restored_epoch == 1);
  CHECK(net.parameter("layers[0].W").value(0, 0) == 0.75);
  std::ifstream in(path);
  const Json events = Json::parse(in)["events"];
  REQUIRE(events.size() == 4);  // three epochs, then the early_stopping event
  CHECK(events[0]["val_loss"] == 0.5625);
  CHECK(events[2]["early_stopping"]["wait"] == 2);
  CHECK(events[3]["event"] == "early_stopping");
  CHECK(events[3]["best_epoch"] == 1);
  CHECK(events[3]["stopped_epoch"] == 3);
  CHECK(events[3]["restored_epoch"] == 1);
  // Without restore_best_weights the network keeps its last weights (w = 0.9375).
  Network last;
  last.dense(Matrix{{0.5}}, Matrix{{0.0}});
  last.freeze("layers[0].b");
  SGD sgd2(0.25);
  options.early_stopping->restore_best_weights = false;
  const auto h2 = train(last, mse, sgd2, X, T, ValidationSet{Xv, Tv}, rng, options);
  CHECK(h2.size() == 3);
  CHECK(last.parameter("layers[0].W").value(0, 0) == 0.9375);
  // A val_ monitor without a validation set, an accuracy without classification: refused.
  CHECK_THROWS_AS(train(last, mse, sgd2, X, T, rng, options), std::invalid_argument);
  options.early_stopping->monitor = "val_accuracy";
  CHECK_THROWS_AS(train(last, mse, sgd2, X, T, ValidationSet{Xv, Tv}, rng, options), std::invalid_argument);
}
