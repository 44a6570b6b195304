// Chapter 11: the program's claims, checked on its own trace: the validation split is stratified
// and disjoint; without a remedy the training loss falls while the validation loss, after its
// lowest point, climbs well above it (overfitting); early stopping stops exactly `patience` epochs
// after its best epoch, restores that epoch's weights (the result event's validation loss is the
// best epoch's), and ends with a lower validation loss than the run that trained on.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "chapter_run.hpp"

using nlohmann::json;

namespace {

// The lesson's run (seed 1). How much a network overfits 60 noisy points depends on which 60 they
// are: at seed 3 this one barely does in 600 epochs, and early stopping, meeting a plateau, stops
// too soon — the lesson shows that table too. The checks of the stopping rule hold for any seed.
const json& trace() { return glassbox::testing::trace_of("ch11_regularization", "--seed 1"); }
const json& other_trace() { return glassbox::testing::trace_of("ch11_regularization", "--seed 3"); }

std::vector<json> events(const json& doc, const std::string& kind, const std::string& run = "") {
  std::vector<json> out;
  for (const auto& e : doc["events"])
    if (e["event"] == kind && (run.empty() || e.value("run", "") == run)) out.push_back(e);
  return out;
}

json remedy(const std::string& name) {
  for (const json& e : events(trace(), "remedy_result"))
    if (e["remedy"] == name) return e;
  FAIL("no remedy_result for " << name);
  return {};
}

}  // namespace

TEST_CASE("ch11: the validation split holds out 40 of 100 moons, 20 of each class, apart from the 60", "[ch11]") {
  const auto splits = events(trace(), "validation_split");
  REQUIRE(splits.size() == 1);
  const json& s = splits[0];
  CHECK(s["stratified"] == true);
  CHECK(s["validation"].size() == 40);
  CHECK(s["train"].size() == 60);
  std::set<int> all;
  for (const auto& part : {s["train"], s["validation"]})
    for (const auto& n : part) CHECK(all.insert(n.get<int>()).second);
  CHECK(all.size() == 100);
}

TEST_CASE("ch11: without a remedy the validation loss turns and climbs while the training loss falls", "[ch11]") {
  const auto epochs = events(trace(), "epoch", "overfit");
  REQUIRE(epochs.size() == 600);
  std::size_t best = 0;
  for (std::size_t i = 1; i < epochs.size(); ++i)
    if (epochs[i]["val_loss"].get<double>() < epochs[best]["val_loss"].get<double>()) best = i;
  const double lowest = epochs[best]["val_loss"], last = epochs.back()["val_loss"];
  INFO("lowest validation loss " << lowest << " at epoch " << best + 1 << ", last " << last);
  CHECK(best + 1 < 400);              // it turns well before the end …
  CHECK(last > 1.5 * lowest);         // … and climbs far above its lowest point
  CHECK(epochs.back()["loss"].get<double>() < 0.5 * epochs[best]["loss"].get<double>());  // training keeps falling
  CHECK(epochs.back()["loss"].get<double>() < last);  // the gap: training far below validation
}

TEST_CASE("ch11: early stopping stops patience epochs after its best and restores that epoch's weights", "[ch11]") {
  const auto epochs = events(trace(), "epoch", "early_stopping");
  const auto stops = events(trace(), "early_stopping", "early_stopping");
  REQUIRE(stops.size() == 1);
  const json& stop = stops[0];
  const std::size_t best = stop["best_epoch"], stopped = stop["stopped_epoch"];
  CHECK(stopped == best + 25);  // patience 25: the 25th epoch in a row without improvement
  CHECK(epochs.size() == stopped);
  CHECK(stop["restored_epoch"] == best);
  // The best epoch's val_loss is the lowest of all epochs run (Keras' rule with min_delta 0) …
  for (const json& e : epochs) CHECK(e["val_loss"].get<double>() >= stop["best"].get<double>());
  // … and the weights it ends with give exactly that loss again.
  CHECK(remedy("early_stopping")["val_loss"] == epochs[best - 1]["val_loss"]);
  CHECK(remedy("early_stopping")["val_accuracy"] == epochs[best - 1]["val_accuracy"]);
  // Up to the stop it took the same steps as the run without it (same start, same shuffles).
  const auto overfit = events(trace(), "epoch", "overfit");
  CHECK(overfit[stopped - 1]["val_loss"] == epochs[stopped - 1]["val_loss"]);
  CHECK(remedy("early_stopping")["val_loss"].get<double>() < remedy("overfit")["val_loss"].get<double>());
  CHECK(remedy("early_stopping")["weight_norm"].get<double>() < remedy("overfit")["weight_norm"].get<double>());
}

TEST_CASE("ch11: at another seed the rule is the same: stop = best + patience, the best epoch restored", "[ch11]") {
  for (const json& e : other_trace()["events"])
    if (e["event"] == "early_stopping") {
      if (!e["stopped_epoch"].is_null()) CHECK(e["stopped_epoch"].get<std::size_t>() == e["best_epoch"].get<std::size_t>() + 25);
      CHECK(e["restored_epoch"] == e["best_epoch"]);
    }
}
