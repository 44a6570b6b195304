// Chapter 07: deep backprop and gradient checking — what the lesson claims, tested.
//   - Network::backward's loop over the layers computes exactly the column-form recursion
//     δˡ = (W^{l+1})ᵀ δ^{l+1} ⊙ f′(zˡ), dL/dWˡ = Σ_n δˡ_n (a^{l−1}_n)ᵀ, written out sample by sample;
//   - networks of any depth pass the gradient check; a broken layer fails it and is named;
//   - the bias fault of a batch of one hides from a one-sample check;
//   - the h sweep of a deep network: truncation ∝ h², round-off ∝ 1/h, the best h in between;
//   - a ReLU input within h of 0 is flagged as a kink, and fails when kinks are not looked for.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <filesystem>

#include <fmt/format.h>

#include "chapter_run.hpp"
#include "svg_check.hpp"
#include "glassbox/nn/activations.hpp"
#include "glassbox/nn/dense.hpp"
#include "glassbox/nn/faults.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"

using namespace glassbox;

namespace {

// Dense(4→w, g) → … → Dense(w→3): `depth` Dense layers, the one at index `faulty` (if any) broken.
Network deep(std::size_t depth, std::size_t width, const char* activation, std::uint64_t seed,
             std::size_t faulty = SIZE_MAX, DenseFault fault = DenseFault::db_first_row) {
  Rng rng(seed);
  Network net;
  for (std::size_t k = 0; k < depth; ++k) {
    Dense layer(k == 0 ? 4 : width, k + 1 == depth ? 3 : width, rng);
    if (k == faulty)
      net.add(std::make_unique<FaultyDense>(std::move(layer), fault));
    else
      net.add(std::make_unique<Dense>(std::move(layer)));
    if (k + 1 < depth) net.activation(activation);
  }
  return net;
}

struct Batch {
  Matrix X, T;
};
Batch batch(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  Batch b{Matrix::uniform(n, 4, rng, -1, 1), Matrix()};
  std::vector<std::size_t> labels(n);
  for (std::size_t& label : labels) label = static_cast<std::size_t>(rng.below(3));
  b.T = one_hot(labels, 3);
  return b;
}

using Vector = std::vector<double>;

}  // namespace

TEST_CASE("the backward loop is the column-form recursion, sample by sample", "[ch07]") {
  // A 6-layer tanh network with mse(sum): written out with plain vectors, one sample at a time,
  //   a⁰ = x,  zˡ = Wˡ a^{l−1} + bˡ,  aˡ = tanh(zˡ) (the last layer has no activation)
  //   δᴸ = dL/dzᴸ = 2(zᴸ − t)
  //   δˡ = (W^{l+1})ᵀ δ^{l+1} ⊙ (1 − (aˡ)²)
  //   dL/dWˡ = Σ_n δˡ_n (a^{l−1}_n)ᵀ,  dL/dbˡ = Σ_n δˡ_n
  // and compared with what Network::backward accumulated (and the δ it handed each layer).
  const std::size_t depth = 6;
  Network net = deep(depth, 5, "tanh", 71);
  const Batch data = batch(7, 72);
  const MeanSquaredError loss(Reduction::sum);
  net.zero_grad();
  const Matrix dY = loss.gradient(net.forward(data.X), data.T);  // kept: the network remembers it
  net.backward(dY);

  std::vector<Dense*> dense;
  for (std::size_t i = 0; i < net.size(); i += 2) dense.push_back(&dynamic_cast<Dense&>(net.layer(i)));
  REQUIRE(dense.size() == depth);
  std::vector<Matrix> dW, db;
  for (Dense* d : dense) {
    dW.emplace_back(d->W.rows(), d->W.cols());
    db.emplace_back(1, d->W.rows());
  }

  double worst_delta = 0;
  for (std::size_t n = 0; n < data.X.rows(); ++n) {
    std::vector<Vector> a(depth + 1), z(depth);
    a[0] = Vector(data.X.row_ptr(n), data.X.row_ptr(n) + 4);
    for (std::size_t l = 0; l < depth; ++l) {
      const Matrix& W = dense[l]->W;
      z[l].assign(W.rows(), 0);
      a[l + 1].assign(W.rows(), 0);
      for (std::size_t j = 0; j < W.rows(); ++j) {
        double s = dense[l]->b(0, j);
        for (std::size_t i = 0; i < W.cols(); ++i) s += W(j, i) * a[l][i];
        z[l][j] = s;
        a[l + 1][j] = l + 1 < depth ? std::tanh(s) : s;
      }
    }
    std::vector<Vector> delta(depth);
    delta[depth - 1].resize(3);
    for (std::size_t k = 0; k < 3; ++k) delta[depth - 1][k] = 2 * (z[depth - 1][k] - data.T(n, k));
    for (std::size_t l = depth - 1; l-- > 0;) {
      const Matrix& W_next = dense[l + 1]->W;
      delta[l].assign(W_next.cols(), 0);
      for (std::size_t i = 0; i < W_next.cols(); ++i) {
        double s = 0;
        for (std::size_t j = 0; j < W_next.rows(); ++j) s += W_next(j, i) * delta[l + 1][j];  // (W^{l+1})ᵀ δ^{l+1}
        delta[l][i] = s * (1 - a[l + 1][i] * a[l + 1][i]);                                   // ⊙ f′(zˡ)
      }
    }
    for (std::size_t l = 0; l < depth; ++l) {
      // row n of the δ the network handed Dense layer l is this sample's δˡ
      const Matrix& handed = net.output_gradient(2 * l);
      for (std::size_t j = 0; j < delta[l].size(); ++j) {
        worst_delta = std::max(worst_delta, std::abs(handed(n, j) - delta[l][j]));
        db[l](0, j) += delta[l][j];
        for (std::size_t i = 0; i < a[l].size(); ++i) dW[l](j, i) += delta[l][j] * a[l][i];
      }
    }
  }
  CHECK(worst_delta < 1e-12);
  for (std::size_t l = 0; l < depth; ++l) {
    INFO("Dense layer " << l);
    CHECK(max_abs_diff(dense[l]->dW, dW[l]) < 1e-12);
    CHECK(max_abs_diff(dense[l]->db, db[l]) < 1e-12);
  }
}

TEST_CASE("networks of any depth pass the gradient check", "[ch07]") {
  const Batch data = batch(6, 73);
  for (std::size_t depth = 1; depth <= 10; ++depth) {
    for (const char* activation : {"tanh", "sigmoid", "relu"}) {
      Network net = deep(depth, 6, activation, 74 + depth);
      const auto report = check_network(net, SoftmaxCrossEntropy(), data.X, data.T);
      INFO(report.summary());
      CHECK(report.passed());
      CHECK(report.failed == 0);
      CHECK(report.elements.size() == net.parameter_count());
    }
  }
}

TEST_CASE("a broken layer in a deep network fails the check, which names its tensor", "[ch07]") {
  const Batch data = batch(8, 75);
  for (DenseFault fault : dense_faults()) {
    Network net = deep(6, 8, "tanh", 76, /*faulty=*/3, fault);
    const auto report = check_network(net, SoftmaxCrossEntropy(), data.X, data.T);
    INFO(to_string(fault) << ": " << report.summary());
    CHECK(report.verdict == CheckVerdict::fail);
    const std::string wrong = fault == DenseFault::dW_transposed || fault == DenseFault::dW_scaled ? "layers[6].W"
                                                                                                   : "layers[6].b";
    for (const auto& t : report.tensors) CHECK((t.verdict == CheckVerdict::fail) == (t.name == wrong));
  }
}

TEST_CASE("db_first_row passes a one-sample check and fails a batch check", "[ch07]") {
  Network net = deep(4, 6, "tanh", 77, 1, DenseFault::db_first_row);
  const Batch data = batch(5, 78);
  const auto one = check_network(net, SoftmaxCrossEntropy(), slice_rows(data.X, 0, 1), slice_rows(data.T, 0, 1));
  INFO(one.summary());
  CHECK(one.passed());
  const auto many = check_network(net, SoftmaxCrossEntropy(), data.X, data.T);
  CHECK(many.verdict == CheckVerdict::fail);
}

TEST_CASE("the h sweep of a deep network: truncation, then round-off, the best h in between", "[ch07]") {
  Network net = deep(6, 8, "tanh", 79);
  const Batch data = batch(8, 80);
  const auto sweep = h_sweep(net, SoftmaxCrossEntropy(), data.X, data.T, "layers[10].b", 0, 0, decades(-1, -12));
  INFO(sweep.table().render());
  REQUIRE(sweep.rows.size() == 12);
  // h = 1e-1 … 1e-3: the error is the truncation term, and falls 100× per decade.
  for (std::size_t i = 0; i < 3; ++i) CHECK(sweep.rows[i].abs_error == Approx(sweep.rows[i].truncation).epsilon(0.05));
  CHECK(sweep.rows[1].abs_error / sweep.rows[2].abs_error == Approx(100).epsilon(0.05));
  // h = 1e-9 … 1e-12: round-off, far above the best, and growing as h shrinks.
  CHECK(sweep.rows[11].abs_error > 1e4 * sweep.rows[sweep.best].abs_error);
  CHECK(sweep.rows[11].abs_error > sweep.rows[8].abs_error);
  // The best h: between the regimes, near ε^(1/3) ≈ 6e-6.
  CHECK(sweep.rows[sweep.best].h >= 1e-7);
  CHECK(sweep.rows[sweep.best].h <= 1e-4);
  CHECK(sweep.predicted_best_h() > 1e-6);
  CHECK(sweep.predicted_best_h() < 1e-4);
}

TEST_CASE("a ReLU input within h of 0 is flagged as a kink, not failed", "[ch07]") {
  Network net = deep(3, 8, "relu", 81);
  const Batch data = batch(8, 82);
  const double h = 1e-5;
  auto& first = dynamic_cast<Dense&>(net.layer(0));
  double z = 0;
  for (std::size_t i = 0; i < 4; ++i) z += data.X(0, i) * first.W(0, i);
  first.b(0, 0) = 0.3 * h - z;  // sample 0 reaches unit 0's ReLU at z = 0.3·h
  GradCheckOptions options;
  options.h = h;
  const auto flagged = check_network(net, SoftmaxCrossEntropy(), data.X, data.T, options);
  INFO(flagged.summary());
  CHECK(flagged.passed());
  CHECK(flagged.failed == 0);
  CHECK(flagged.kinks >= 1);
  bool bias_flagged = false;
  for (const auto& e : flagged.elements) {
    if (e.verdict == ElementVerdict::kink) CHECK((e.tensor == "layers[0].W" || e.tensor == "layers[0].b"));
    bias_flagged = bias_flagged || (e.tensor == "layers[0].b" && e.col == 0 && e.kink);
  }
  CHECK(bias_flagged);  // ±h on the bias moves z to 1.3h and −0.7h: always across

  options.detect_kinks = false;
  const auto blind = check_network(net, SoftmaxCrossEntropy(), data.X, data.T, options);
  CHECK(blind.verdict == CheckVerdict::fail);
  CHECK(blind.failed == flagged.kinks);
}

TEST_CASE("ch07: --help says what each trace level records here, and promises no per-update events", "[ch07]") {
  FILE* pipe = ::popen(GLASSBOX_BINARY_DIR "/bin/ch07_deep_backprop --help", "r");
  REQUIRE(pipe != nullptr);
  std::string help;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) help.append(buffer, n);
  CHECK(::pclose(pipe) == 0);
  CHECK_THAT(help, Catch::Contains("this chapter makes no updates"));
  CHECK_THAT(help, !Catch::Contains("step (per update)"));
}

TEST_CASE("ch07: the h sweep drawn log–log beside the trace, its best h where the trace has it", "[ch07]") {
  namespace fs = std::filesystem;
  const auto run = glassbox::testing::run_chapter("ch07_deep_backprop", "h-sweep", "--trace-level summary");
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  const fs::path plot = (run.trace.parent_path() / run.trace.stem()).string() + ".h_sweep.svg";
  const auto svg = glassbox::testing::read_svg(plot);
  REQUIRE(svg.has_value());
  // Two measured sweeps and the model's two terms; the best h of each as a dot; nothing under the legend.
  CHECK(glassbox::testing::count_of(*svg, "classes", "line") == 4);
  CHECK(glassbox::testing::count_of(*svg, "classes", "points") == 2);
  CHECK((*svg)["legend_overlaps"] == 0);
  const auto& texts = (*svg)["texts"];
  const auto has = [&](const std::string& t) { return std::find(texts.begin(), texts.end(), t) != texts.end(); };
  CHECK(has("10⁻¹²"));  // a logarithmic h axis down to the smallest h swept
  CHECK(has("model: truncation |f‴|·h²/6, slope 2"));
  // Each sweep's best h, read from the trace's h_sweep events: the row with the smallest error.
  const nlohmann::json document = run.document();  // kept alive for the loop over its events
  for (const auto& event : document["events"]) {
    if (event["event"] != "h_sweep") continue;
    double best_h = 0, best = INFINITY;
    for (const auto& row : event["rows"])
      if (row["abs_error"].get<double>() < best) {
        best = row["abs_error"].get<double>();
        best_h = row["h"].get<double>();
      }
    INFO(event["element"]);
    CHECK(has(fmt::format("best h = {:g}", best_h)));
  }
}
