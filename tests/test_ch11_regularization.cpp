// Chapter 11: the program's claims, checked on its own trace: the validation split is stratified
// and disjoint; without a remedy the training loss falls while the validation loss, after its
// lowest point, climbs well above it (overfitting); early stopping stops exactly `patience` epochs
// after its best epoch, restores that epoch's weights (the result event's validation loss is the
// best epoch's), and ends with a lower validation loss than the run that trained on.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>
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

// ---- the penalties, dropout, batch normalization, clipping (seed 1, the lesson's run) ------------

TEST_CASE("ch11: L2 keeps the weights small, and the traced penalty is λ·Σw² of them", "[ch11]") {
  const json l2 = remedy("l2"), overfit = remedy("overfit");
  const double norm = l2["weight_norm"];
  CHECK(norm < 0.5 * overfit["weight_norm"].get<double>());
  // The last epoch's penalty is λ·Σw² = 0.003·‖W‖² at the weights the run ends with (Keras' l2(λ)).
  const auto epochs = events(trace(), "epoch", "l2");
  REQUIRE(epochs.size() == 600);
  CHECK(epochs.back()["penalty"].get<double>() == Approx(0.003 * norm * norm).epsilon(1e-9));
  // The norm falls from the start (8.36 after epoch 1, both runs alike) rather than growing.
  const auto plain = events(trace(), "epoch", "overfit");
  CHECK(l2["val_loss"].get<double>() < overfit["val_loss"].get<double>());
  CHECK(epochs.back()["loss"].get<double>() > plain.back()["loss"].get<double>());  // it fits the 60 less closely
}

TEST_CASE("ch11: L1 drives most weights to within 10⁻³ of zero, the unpenalized run almost none", "[ch11]") {
  CHECK(remedy("l1")["near_zero_fraction"].get<double>() > 0.5);
  CHECK(remedy("overfit")["near_zero_fraction"].get<double>() < 0.05);
  CHECK(remedy("l2")["near_zero_fraction"].get<double>() < remedy("l1")["near_zero_fraction"].get<double>());
}

TEST_CASE("ch11: dropout ends with a lower validation loss and at least the plain run's accuracy", "[ch11]") {
  const json dropout = remedy("dropout"), overfit = remedy("overfit");
  CHECK(dropout["val_loss"].get<double>() < overfit["val_loss"].get<double>());
  CHECK(dropout["val_accuracy"].get<double>() >= overfit["val_accuracy"].get<double>());
  CHECK(dropout["epochs_run"] == 600);
}

TEST_CASE("ch11: inverted dropout averages to the evaluation output and the older rule to W₂·(1 − p)",
          "[ch11]") {
  const auto found = events(trace(), "dropout_expectation");
  REQUIRE(found.size() == 1);
  const json& e = found[0];
  CHECK(e["masks"] == 100000);
  REQUIRE(e["evaluation"].size() == 3);
  for (std::size_t n = 0; n < 3; ++n) {
    // A mean of 100 000 outputs whose spread is below 2 differs from its expectation by about
    // 2/√100000 ≈ 0.006; 0.03 is five of those.
    CHECK(e["mean_training_output"][n].get<double>() == Approx(e["evaluation"][n].get<double>()).margin(0.03));
    CHECK(e["older_mean_training_output"][n].get<double>() ==
          Approx(e["older_scaled_weights_output"][n].get<double>()).margin(0.03));
  }
  // The two rules are not the same network: with the same weights the older one's outputs are
  // pulled towards the bias (W₂ times ½ here), so at least one output differs clearly.
  bool differ = false;
  for (std::size_t n = 0; n < 3; ++n)
    differ |= std::abs(e["evaluation"][n].get<double>() - e["older_scaled_weights_output"][n].get<double>()) > 0.1;
  CHECK(differ);
}

TEST_CASE("ch11: batch normalization's μ, σ², x̂ and running statistics of one step, recomputed from the trace",
          "[ch11]") {
  const auto found = events(trace(), "forward", "batch_norm_step");
  REQUIRE(found.size() == 1);
  const json& f = found[0];
  CHECK(f["mode"] == "train");
  const json& input = f["input"];
  const std::size_t N = input.size(), F = input[0].size();
  REQUIRE(N == 8);
  REQUIRE(F == 32);
  for (std::size_t j = 0; j < F; ++j) {
    // μ = (1/N)Σx, σ² = (1/N)Σ(x − μ)², x̂ = (x − μ)/√(σ² + 1e-5); running_mean = 0.9·0 + 0.1·μ,
    // running_var = 0.9·1 + 0.1·σ²·N/(N − 1) (PyTorch's momentum 0.1, the unbiased variance).
    double mu = 0;
    for (std::size_t n = 0; n < N; ++n) mu += input[n][j].get<double>();
    mu /= static_cast<double>(N);
    double var = 0;
    for (std::size_t n = 0; n < N; ++n) var += (input[n][j].get<double>() - mu) * (input[n][j].get<double>() - mu);
    var /= static_cast<double>(N);
    CHECK(f["mu"][0][j].get<double>() == Approx(mu).epsilon(1e-12).margin(1e-15));
    CHECK(f["var"][0][j].get<double>() == Approx(var).epsilon(1e-10));
    for (std::size_t n = 0; n < N; ++n)
      CHECK(f["x_hat"][n][j].get<double>() ==
            Approx((input[n][j].get<double>() - mu) / std::sqrt(var + 1e-5)).epsilon(1e-9).margin(1e-12));
    CHECK(f["running_mean"][0][j].get<double>() == Approx(0.1 * mu).epsilon(1e-12).margin(1e-15));
    CHECK(f["running_var"][0][j].get<double>() == Approx(0.9 + 0.1 * var * 8.0 / 7.0).epsilon(1e-12));
  }
}

TEST_CASE("ch11: the deep sigmoid network stays at ln 2 without batch normalization and learns with it", "[ch11]") {
  json plain, normalized;
  for (const json& e : events(trace(), "deep_result"))
    (e["name"] == "sigmoid" ? plain : normalized) = e;
  REQUIRE(plain["losses"].size() == 11);  // before training and after each of 10 epochs
  REQUIRE(normalized["name"] == "sigmoid + batch_norm");
  // The same weights, and before training evaluation mode normalizes with the running statistics 0
  // and 1 and γ = 1, β = 0: x̂ = x/√(1 + 10⁻⁵), nearly x, so the networks start with nearly one loss.
  CHECK(normalized["losses"][0].get<double>() == Approx(plain["losses"][0].get<double>()).epsilon(1e-3));
  CHECK(plain["losses"].back().get<double>() > 0.69);  // ln 2 = 0.6931: guessing
  CHECK(plain["accuracy"].get<double>() < 0.6);
  CHECK(normalized["accuracy"].get<double>() > 0.8);
  for (const json& l : normalized["mean_batch_losses"]) CHECK(l.get<double>() < 0.69);
  CHECK(normalized["mean_batch_losses"].back().get<double>() < 0.4);
}

TEST_CASE("ch11: in evaluation mode batch normalization uses running statistics, so the outputs differ", "[ch11]") {
  const auto found = events(trace(), "batch_norm_modes");
  REQUIRE(found.size() == 1);
  const json& e = found[0];
  double largest = 0;
  for (std::size_t n = 0; n < 4; ++n)
    largest = std::max(largest, std::abs(e["evaluation"][n].get<double>() - e["training"][n].get<double>()));
  CHECK(largest > 0.1);
}

TEST_CASE("ch11: chapter 08's naive ReLU network overflows without clipping and keeps going with it", "[ch11]") {
  json wild, clipped;
  for (const json& e : events(trace(), "clipping_result")) (e["max_norm"].is_null() ? wild : clipped) = e;
  REQUIRE(wild.contains("diverged"));
  CHECK(wild["steps"].get<std::size_t>() < 10);
  CHECK(wild["losses"].back().get<double>() > 1e100);  // the loss explodes before the overflow
  REQUIRE(clipped["steps"] == 320);                     // 10 epochs of 1024/32 steps, to the end
  CHECK_FALSE(clipped.contains("diverged"));
  CHECK(clipped["losses"][0] == wild["losses"][0]);     // the same start and the same first batch
  // Clipping was at work: every step's norm before clipping was far above max_norm = 1 …
  for (const json& g : clipped["gradient_norms"]) CHECK(g.get<double>() > 1);
  // … and the network learned the disc (a coin would get about 0.5; one seed).
  CHECK(clipped["accuracy"].get<double>() > 0.75);
}

TEST_CASE("ch11: the batch-norm numbers the program prints are those of the trace's forward event", "[ch11]") {
  // The program's printed table (stdout) against the trace: every printed number is the traced one
  // rounded to 4 decimals, features 0 … 3.
  const std::filesystem::path folder = std::filesystem::path("chapter_test_output") / "ch11_printed";
  const auto run = glassbox::testing::run_in_fresh_folder("ch11_regularization", folder, "> printed.txt");
  REQUIRE(run.exit_code == 0);
  std::ifstream in(folder / "printed.txt");
  const json f = events(trace(), "forward", "batch_norm_step").at(0);
  const auto rounded = [](double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", x + 0.0);
    return std::string(text);
  };
  const std::vector<std::pair<std::string, std::pair<std::string, std::size_t>>> rows{
      {"μ (batch mean)", {"mu", 0}},           {"σ² (batch variance, ÷N)", {"var", 0}},
      {"x̂ of sample 0", {"x_hat", 0}},         {"x̂ of sample 2", {"x_hat", 2}},
      {"running_mean after", {"running_mean", 0}}, {"running_var after", {"running_var", 0}}};
  std::size_t found = 0;
  for (std::string line; std::getline(in, line);)
    for (const auto& [label, field] : rows)
      if (line.rfind(label, 0) == 0) {
        std::istringstream numbers(line.substr(label.size()));
        for (std::size_t j = 0; j < 4; ++j) {
          std::string printed;
          numbers >> printed;
          CHECK(printed == rounded(f[field.first][field.second][j].get<double>()));
        }
        ++found;
      }
  CHECK(found == rows.size());
}

TEST_CASE("ch11: with fewer epochs the L2 table lists only epochs the runs have", "[ch11]") {
  // The table's rows are epochs 1, 100, 200, 400 and the last; a run of 150 epochs has only 1, 100
  // and 150 (reading epoch 200 of a 150-epoch history was out of bounds).
  const std::filesystem::path folder = "chapter_test_output/ch11_short_run";
  const auto run = glassbox::testing::run_in_fresh_folder("ch11_regularization", folder,
                                                          "--epochs 150 --trace t.json > out.txt");
  REQUIRE(run.exit_code == 0);
  std::ifstream in(folder / "out.txt");
  std::stringstream text;
  text << in.rdbuf();
  const std::string out = text.str();
  const auto from = out.find("3. L2 penalty"), to = out.find("4. L1 penalty");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  std::istringstream section(out.substr(from, to - from));
  std::vector<int> epochs;
  for (std::string line; std::getline(section, line);) {
    std::istringstream cells(line);
    int epoch = 0;
    std::string rest;
    // a row: the epoch right-aligned under its header (the section's heading "3. …" starts the line)
    if (!line.empty() && line[0] == ' ' && cells >> epoch >> rest) epochs.push_back(epoch);
  }
  CHECK(epochs == std::vector<int>{1, 100, 150});
}
