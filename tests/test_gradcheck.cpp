// Tests of the gradient checker itself: it passes closed-form gradients, rejects wrong ones (every
// teaching fault of faults.hpp), refuses an all-zero check as vacuous, flags a ReLU kink crossed by
// the perturbation, samples large tensors but never biases, reports as JSON and tables, and shows
// how the step h trades truncation for round-off. Then: every activation × loss combination of the
// library's tables passes.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>

#include "glassbox/nn/activations.hpp"
#include "glassbox/nn/dense.hpp"
#include "glassbox/nn/faults.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"

using namespace glassbox;


TEST_CASE("closed-form gradients pass: f = Σ x³ and f = sin(x)·y", "[gradcheck]") {
  const std::vector<double> x{0.5, -1.5, 2.0, 3.0};
  std::vector<double> grad;
  for (double v : x) grad.push_back(3 * v * v);
  const auto cubes = check_function(
      [](const std::vector<double>& v) {
        double s = 0;
        for (double e : v) s += e * e * e;
        return s;
      },
      x, grad);
  INFO(cubes.summary());
  CHECK(cubes.verdict == CheckVerdict::good);
  CHECK(cubes.elements.size() == 4);
  CHECK(cubes.worst_rel_error < 1e-9);
  // The centered difference of x³ is exactly 3x² + h²: the checker divides by 2h, not h.
  CHECK(cubes.elements[2].numeric == Approx(12.0 + 1e-10).epsilon(1e-9));

  const double a = 0.7, b = -1.3;
  const auto product = check_function([](const std::vector<double>& v) { return std::sin(v[0]) * v[1]; }, {a, b},
                                      {std::cos(a) * b, std::sin(a)});
  INFO(product.summary());
  CHECK(product.verdict == CheckVerdict::good);
}

TEST_CASE("a wrong analytic gradient is rejected", "[gradcheck]") {
  const auto wrong = check_function([](const std::vector<double>& v) { return v[0] * v[0] * v[0]; }, {2.0},
                                    {2 * 2.0 * 2.0});  // 2x² instead of 3x²
  CHECK(wrong.verdict == CheckVerdict::fail);
  CHECK_FALSE(wrong.passed());
  CHECK(wrong.failed == 1);
  CHECK(wrong.elements[0].rel_error == Approx(1.0 / 3).epsilon(1e-6));
  CHECK_THAT(wrong.summary(), Catch::Contains("fail") && Catch::Contains("x(0, 0)"));
}

TEST_CASE("a dense layer with a wrong backward is rejected, whichever the fault", "[gradcheck]") {
  Rng rng(3);
  const Matrix X = Matrix::uniform(4, 3, rng, -1, 1);
  for (DenseFault fault : dense_faults()) {
    FaultyDense layer(Dense(3, 3, rng), fault);  // square, so dW_transposed fits
    const auto report = check_layer(layer, X, rng);
    INFO(report.summary());
    CHECK(report.verdict == CheckVerdict::fail);
    CHECK_FALSE(report.passed());
    // Only the tensor the fault touches fails; dL/dX is right in every fault.
    const std::string wrong = fault == DenseFault::dW_transposed || fault == DenseFault::dW_scaled ? "W" : "b";
    for (const auto& t : report.tensors) CHECK((t.verdict == CheckVerdict::fail) == (t.name == wrong));
    if (fault == DenseFault::dW_scaled) CHECK(report.failed == 9);  // every W element, and only those
    if (fault == DenseFault::dW_transposed) CHECK(report.failed == 6);  // the off-diagonal elements
    if (fault == DenseFault::db_missing || fault == DenseFault::db_first_row) CHECK(report.failed == 3);
  }
}

TEST_CASE("a faulty layer inside a network is found, and named by its tensor", "[gradcheck]") {
  Rng rng(12);
  Network net;
  net.dense(3, 4, rng).activation("tanh");
  net.add(std::make_unique<FaultyDense>(Dense(4, 4, rng), DenseFault::db_first_row)).activation("tanh");
  net.dense(4, 2, rng);
  CHECK(net.describe() == "Dense(3→4, tanh) → FaultyDense(4→4, db_first_row, tanh) → Dense(4→2)");
  const Matrix X = Matrix::uniform(5, 3, rng, -1, 1);
  const Matrix T = one_hot({0, 1, 1, 0, 1}, 2);
  const auto report = check_network(net, SoftmaxCrossEntropy(), X, T);
  INFO(report.summary());
  CHECK(report.verdict == CheckVerdict::fail);
  for (const auto& t : report.tensors) CHECK((t.verdict == CheckVerdict::fail) == (t.name == "layers[2].b"));
  CHECK_THAT(report.tensor_table().render(), Catch::Contains("layers[2].b") && Catch::Contains("fail"));
}

TEST_CASE("the bias fault of a batch of one is invisible to a one-sample check", "[gradcheck]") {
  // dL/db = row 0 of dZ is the right answer when there is only row 0: the check cannot fail, and
  // only a batch of several samples exposes the fault.
  Rng rng(13);
  FaultyDense layer(Dense(3, 2, rng), DenseFault::db_first_row);
  const auto one = check_layer(layer, Matrix::uniform(1, 3, rng, -1, 1), rng);
  INFO(one.summary());
  CHECK(one.verdict == CheckVerdict::good);
  const auto batch = check_layer(layer, Matrix::uniform(4, 3, rng, -1, 1), rng);
  CHECK(batch.verdict == CheckVerdict::fail);
}

TEST_CASE("the teaching faults compute the correct forward pass and name themselves", "[gradcheck]") {
  Rng rng(14);
  const Dense correct(3, 3, rng);
  const Matrix X = Matrix::uniform(2, 3, rng, -1, 1);
  Dense reference = correct;
  for (DenseFault fault : dense_faults()) {
    FaultyDense layer(correct, fault);
    CHECK(layer.forward(X) == reference.forward(X));
    CHECK(layer.describe() == "FaultyDense(3→3, " + std::string(to_string(fault)) + ")");
    CHECK(layer.parameter_count() == 12);
  }
  CHECK_THROWS_WITH(FaultyDense(Dense(3, 2, rng), DenseFault::dW_transposed),
                    Catch::Contains("Dense(3→2)") && Catch::Contains("square"));

  // A sigmoid whose derivative is taken of z instead of a.
  Activation<SigmoidPrimeOfZ> faulty(3);
  Activation<Sigmoid> sigmoid(3);
  const Matrix Z{{-1, 0.5, 2}};
  CHECK(faulty.forward(Z) == sigmoid.forward(Z));
  const auto report = check_layer(faulty, Z, rng);
  CHECK(report.verdict == CheckVerdict::fail);
  CHECK(report.failed == 3);
}

TEST_CASE("a check where every gradient is ~0 is refused as vacuous", "[gradcheck]") {
  const auto flat = check_function([](const std::vector<double>&) { return 4.0; }, {1.0, 2.0}, {0.0, 0.0});
  CHECK(flat.verdict == CheckVerdict::vacuous);
  CHECK_FALSE(flat.passed());
  CHECK(flat.zeros == 2);
  CHECK_THAT(flat.summary(), Catch::Contains("vacuous"));

  // A ReLU whose inputs are all negative passes no gradient at all.
  Activation<ReLU> relu(3);
  Rng rng(1);
  const auto dead = check_layer(relu, Matrix{{-1, -2, -3}, {-0.5, -4, -1}}, rng);
  CHECK(dead.verdict == CheckVerdict::vacuous);
  CHECK_FALSE(dead.passed());
}

TEST_CASE("a disagreement within the round-off of the difference is not judged", "[gradcheck]") {
  // f = 1000 + 10⁻⁶·x² at x = 1: f′ = 2e-6, but f is known only to ε·1000 ≈ 2e-13, so the
  // centered difference resolves f′ only to about 1e-8 at h = 1e-5: r is far above 1e-4.
  auto f = [](const std::vector<double>& v) { return 1000 + 1e-6 * v[0] * v[0]; };
  const auto tiny = check_function(f, {1.0}, {2e-6});
  INFO(tiny.summary());
  REQUIRE(tiny.elements.size() == 1);
  const auto& e = tiny.elements[0];
  CHECK(e.round_off == Approx(std::numeric_limits<double>::epsilon() * 1000 / 1e-5).epsilon(1e-6));
  CHECK(e.rel_error > 1e-4);
  CHECK(e.verdict == ElementVerdict::round_off);
  CHECK(tiny.round_offs == 1);
  CHECK(tiny.verdict == CheckVerdict::vacuous);  // nothing was compared: no pass
  CHECK(tiny.to_json()["counts"]["round_off"] == 1);

  // A wrong derivative of the same size is still caught: the disagreement is far above round-off.
  const auto wrong = check_function(f, {1.0}, {4e-6});
  CHECK(wrong.elements[0].verdict == ElementVerdict::fail);
  CHECK(wrong.verdict == CheckVerdict::fail);

  // A larger h has 1000× less round-off (and f, a parabola, has no truncation error): it can judge.
  GradCheckOptions coarse;
  coarse.h = 1e-2;
  const auto judged = check_function(f, {1.0}, {2e-6}, coarse);
  CHECK(judged.elements[0].rel_error < 1e-4);
  CHECK(judged.passed());
}

TEST_CASE("a perturbation that crosses a ReLU kink is flagged, not failed", "[gradcheck]") {
  Activation<ReLU> relu(3);
  Rng rng(2);
  const Matrix X{{1e-7, 0.8, -0.6}};  // the first input is closer to 0 than h = 1e-5
  const auto report = check_layer(relu, X, rng);
  INFO(report.summary());
  REQUIRE(report.elements.size() == 3);
  CHECK(report.elements[0].kink);
  CHECK(report.elements[0].verdict == ElementVerdict::kink);
  CHECK(report.elements[0].rel_error > 0.4);  // the difference straddles the kink: neither side's slope
  CHECK_FALSE(report.elements[1].kink);
  CHECK(report.kinks == 1);
  CHECK(report.passed());

  // Without the layers' kink signatures the same element fails.
  Matrix input = X;
  relu.forward(input);
  const Matrix R{{0.5, -0.25, 1}};
  const Matrix analytic = relu.backward(R);
  const auto blind = check_gradients("relu, no signature", {{"input", &input, analytic}},
                                     [&] { return dot(R, relu.forward(input)); }, nullptr, GradCheckOptions{});
  CHECK(blind.verdict == CheckVerdict::fail);

  // So it does with kink detection switched off.
  GradCheckOptions off;
  off.detect_kinks = false;
  Rng same(2);
  const auto undetected = check_layer(relu, X, same, off);
  CHECK(undetected.verdict == CheckVerdict::fail);
  CHECK_FALSE(undetected.elements[0].kink);
  CHECK(undetected.elements[0].rel_error == report.elements[0].rel_error);
  CHECK(undetected.to_json()["detect_kinks"] == false);
}

TEST_CASE("a kink in a network: a ReLU input within h of 0", "[gradcheck]") {
  Rng rng(15);
  Network net;
  net.dense(2, 3, rng).activation("relu").dense(3, 1, rng);
  const Matrix X{{0.9, -0.4}, {0.3, 0.8}};
  // Move unit 0's bias so that sample 0 reaches its ReLU at z = 0.3·h.
  Dense& first = dynamic_cast<Dense&>(net.layer(0));
  const double h = GradCheckOptions{}.h;
  first.b(0, 0) = 0.3 * h - (0.9 * first.W(0, 0) - 0.4 * first.W(0, 1));
  const Matrix T{{0.5}, {-0.5}};
  const auto report = check_network(net, MeanSquaredError(), X, T);
  INFO(report.summary() << "\n" << report.table(true).render());
  CHECK(report.kinks >= 2);  // b(0, 0) and W(0, 0) move z by ±h and ±0.9h: both cross 0
  CHECK(report.failed == 0);
  CHECK(report.passed());
  for (const auto& e : report.elements)
    if (e.verdict == ElementVerdict::kink) CHECK((e.tensor == "layers[0].b" || e.tensor == "layers[0].W"));
}

TEST_CASE("large matrices are sampled, vectors are always checked in full", "[gradcheck]") {
  Rng rng(4);
  Dense layer(30, 20, rng);
  GradCheckOptions options;
  options.max_elements = 25;
  options.seed = 9;
  const auto report = check_layer(layer, Matrix::uniform(2, 30, rng, -1, 1), rng, options);
  std::size_t w = 0, b = 0;
  for (const auto& e : report.elements) {
    w += e.tensor == "W";
    b += e.tensor == "b";
  }
  CHECK(w == 25);
  CHECK(b == 20);
  CHECK(report.verdict == CheckVerdict::good);
}

TEST_CASE("parameters are restored exactly after a check", "[gradcheck]") {
  Rng rng(5);
  Dense layer(3, 2, rng);
  const Matrix W = layer.W, b = layer.b;
  check_layer(layer, Matrix::uniform(2, 3, rng, -1, 1), rng);
  CHECK(layer.W == W);
  CHECK(layer.b == b);
}

TEST_CASE("the report as a JSON event and as a table", "[gradcheck]") {
  const auto report = check_function([](const std::vector<double>& v) { return v[0] * v[1]; }, {2.0, 3.0}, {3.0, 2.0});
  const Json event = report.to_json();
  CHECK(event["event"] == "gradcheck");
  CHECK(event["verdict"] == "good");
  CHECK(event["counts"]["good"] == 2);
  REQUIRE(event["elements"].size() == 2);
  CHECK(event["elements"][0]["tensor"] == "x");
  CHECK(event["elements"][0]["analytic"] == 3.0);
  CHECK(event["elements"][0]["h"] == 1e-5);
  CHECK(event["elements"][1]["verdict"] == "good");
  const std::string table = report.table().render();
  CHECK_THAT(table, Catch::Contains("rel. error") && Catch::Contains("(1, 0)"));
  CHECK(report.table(/*only_problems=*/true).rows() == 0);
}

TEST_CASE("per-tensor summaries add up to the whole check", "[gradcheck]") {
  Rng rng(16);
  Dense layer(20, 3, rng);
  GradCheckOptions options;
  options.max_elements = 10;
  const auto report = check_layer(layer, Matrix::uniform(3, 20, rng, -1, 1), rng, options);
  REQUIRE(report.tensors.size() == 3);  // W, b, input
  CHECK(report.tensors[0].name == "W");
  CHECK(report.tensors[0].shape == "(3×20)");
  CHECK(report.tensors[0].size == 60);
  CHECK(report.tensors[0].checked == 10);  // sampled
  CHECK(report.tensors[1].checked == 3);   // a bias: always in full
  std::size_t checked = 0, good = 0;
  double worst = 0;
  for (const auto& t : report.tensors) {
    checked += t.checked;
    good += t.good;
    worst = std::max(worst, t.worst_rel_error);
    CHECK(t.verdict == CheckVerdict::good);
  }
  CHECK(checked == report.elements.size());
  CHECK(good == report.good);
  CHECK(worst == report.worst_rel_error);
  const Json event = report.to_json();
  CHECK(event["tensors"].size() == 3);
  CHECK(event["tensors"][0]["checked"] == 10);
  CHECK(event["tensors"][0]["size"] == 60);
  CHECK(event["detect_kinks"] == true);
  CHECK_THAT(report.tensor_table().render(), Catch::Contains("10/60") && Catch::Contains("3/3"));
}

TEST_CASE("decades of h", "[gradcheck]") {
  const auto steps = decades(-1, -12);
  REQUIRE(steps.size() == 12);
  CHECK(steps.front() == 1e-1);
  CHECK(steps[4] == 1e-5);
  CHECK(steps.back() == 1e-12);
  CHECK(decades(0, 2) == std::vector<double>{1, 10, 100});
}

TEST_CASE("how h matters: truncation ∝ h² for large h, round-off ∝ ε/h for small h", "[gradcheck]") {
  // f = eˣ at x = 1: f′ = f‴ = e, so the centered difference is e + e·h²/6 + O(h⁴) exactly, and
  // the round-off in f(1 ± h) is about ε·e.
  double x = 1;
  const double e = std::exp(1.0);
  const auto sweep = h_sweep("exp(x)", "x", x, e, [&] { return std::exp(x); }, decades(-1, -12));
  INFO(sweep.table().render());
  CHECK(x == 1);  // restored
  REQUIRE(sweep.rows.size() == 12);
  CHECK(sweep.third_derivative == Approx(e).epsilon(1e-4));
  // Truncation: the error is e·h²/6 and falls 100× per decade.
  for (std::size_t i = 0; i < 3; ++i) {
    const double h = sweep.rows[i].h;
    CHECK(sweep.rows[i].abs_error == Approx(e * h * h / 6).epsilon(0.01));
    CHECK(sweep.rows[i].truncation > sweep.rows[i].round_off);
  }
  CHECK(sweep.rows[1].abs_error / sweep.rows[2].abs_error == Approx(100).epsilon(0.02));
  // Round-off: at the smallest steps the error grows as h shrinks, far above the best.
  CHECK(sweep.rows[11].round_off > sweep.rows[11].truncation);
  CHECK(sweep.rows[11].abs_error > 1e-6);
  CHECK(sweep.rows[11].abs_error > 1000 * sweep.rows[sweep.best].abs_error);
  // The best h lies near ε^(1/3) ≈ 6e-6, as the model predicts: (3ε·e/e)^(1/3) ≈ 8.7e-6.
  const double eps = std::numeric_limits<double>::epsilon();
  CHECK(sweep.predicted_best_h() == Approx(std::cbrt(3 * eps)).epsilon(1e-3));
  CHECK(sweep.rows[sweep.best].h >= 1e-7);
  CHECK(sweep.rows[sweep.best].h <= 1e-4);
  CHECK(sweep.rows[sweep.best].rel_error < 1e-9);

  const Json event = sweep.to_json();
  CHECK(event["event"] == "h_sweep");
  CHECK(event["rows"].size() == 12);
  CHECK(event["best_h"] == sweep.rows[sweep.best].h);
  CHECK_THAT(sweep.table().render(), Catch::Contains("truncation") && Catch::Contains("round-off") &&
                                         Catch::Contains("← best"));
  CHECK_THROWS_AS(h_sweep("exp(x)", "x", x, e, [&] { return std::exp(x); }, {1e-3, 0.0}), std::invalid_argument);
}

TEST_CASE("an h sweep of a network weight restores the network", "[gradcheck]") {
  Rng rng(17);
  Network net;
  net.dense(3, 4, rng).activation("tanh").dense(4, 2, rng);
  const Matrix X = Matrix::uniform(5, 3, rng, -1, 1);
  const Matrix T = Matrix::uniform(5, 2, rng, -1, 1);
  const Matrix W = net.parameter("layers[0].W").value;
  const auto sweep = h_sweep(net, MeanSquaredError(), X, T, "layers[0].W", 1, 2, decades(-2, -10));
  CHECK(net.parameter("layers[0].W").value == W);
  CHECK(sweep.element == "layers[0].W(1, 2)");
  CHECK(sweep.analytic == net.parameter("layers[0].W").grad(1, 2));
  CHECK(sweep.rows[sweep.best].rel_error < 1e-8);
  CHECK_THROWS_AS(h_sweep(net, MeanSquaredError(), X, T, "layers[0].W", 4, 0, {1e-5}), std::out_of_range);
  CHECK_THROWS_AS(h_sweep(net, MeanSquaredError(), X, T, "layers[9].W", 0, 0, {1e-5}), InputError);
}

// ---- every activation with every loss -----------------------------------------------------------

namespace {

// What a loss takes as its prediction, found from how it behaves, so that losses added to the
// table later are classified without editing this test:
//   logits         L(P + c) = L(P) for a constant c added to every row: a softmax is inside the
//                  loss, so the network ends without an activation (a softmax before it would
//                  apply softmax twice)
//   probabilities  L is not finite for predictions outside [0, 1]: the output activation must
//                  give values strictly inside (0, 1)
//   real           anything else: any output activation, or none
enum class Takes { logits, probabilities, real };

// Class targets in the first form the loss accepts: one-hot rows (0/1), the same as labels ±1, or
// one column of class indices (a loss with target_columns() of 1).
Matrix targets_for(const Loss& loss, const std::vector<std::size_t>& labels, std::size_t classes) {
  Matrix indices(labels.size(), 1);
  for (std::size_t n = 0; n < labels.size(); ++n) indices(n, 0) = static_cast<Scalar>(labels[n]);
  if (loss.target_columns(classes) == 1 && classes != 1) return indices;
  const Matrix T = one_hot(labels, classes);
  const Matrix P(labels.size(), classes, 0.5);
  for (const Matrix& candidate : {T, T * Scalar{2} - Scalar{1}}) {
    try {
      loss.value(P, candidate);
      return candidate;
    } catch (const InputError&) {
    }
  }
  FAIL(loss.describe() << " accepts no form of class targets");
  return T;
}

Takes what_loss_takes(const Loss& loss) {
  Rng rng(31);
  const Matrix P = Matrix::uniform(4, 3, rng, 0.2, 0.8);
  const Matrix T = targets_for(loss, {0, 2, 1, 1}, 3);
  for (Scalar shift : {-1.0, 1.0})  // every prediction moved below 0, then above 1
    if (!std::isfinite(loss.value(P + shift, T))) return Takes::probabilities;
  const double L = loss.value(P, T), shifted = loss.value(P + 0.37, T);
  if (std::abs(shifted - L) <= 1e-12 * std::abs(L)) return Takes::logits;
  return Takes::real;
}

// Whether an activation's outputs lie strictly inside (0, 1) for inputs across [−6, 6].
bool gives_probabilities(const ActivationEntry& entry) {
  auto layer = entry.make(3, Json::object());
  Matrix Z(13, layer->input_width());
  for (std::size_t n = 0; n < Z.rows(); ++n)
    for (std::size_t k = 0; k < Z.cols(); ++k) Z(n, k) = static_cast<Scalar>(n) - 6 + Scalar{0.1} * static_cast<Scalar>(k);
  const Matrix& A = layer->forward(Z);
  for (Scalar a : A)
    if (!(a > 0 && a < 1)) return false;
  return true;
}

// Whether an activation passes any gradient back: the step and the sign do not (g′ = 0), so at the
// output they would leave every check vacuous — rightly, but with nothing to compare.
bool passes_gradient(const ActivationEntry& entry) {
  auto layer = entry.make(3, Json::object());
  Matrix Z(13, layer->input_width());
  for (std::size_t n = 0; n < Z.rows(); ++n)
    for (std::size_t k = 0; k < Z.cols(); ++k) Z(n, k) = static_cast<Scalar>(n) - 6.05 + Scalar{0.1} * static_cast<Scalar>(k);
  const Matrix A = layer->forward(Z);
  for (Scalar g : layer->backward(Matrix(A.rows(), A.cols(), 1.0)))
    if (g != 0) return true;
  return false;
}

}  // namespace

TEST_CASE("the combination test reads the losses right", "[gradcheck]") {
  CHECK(what_loss_takes(MeanSquaredError()) == Takes::real);
  CHECK(what_loss_takes(HalfSumSquares()) == Takes::real);
  CHECK(what_loss_takes(BinaryCrossEntropy()) == Takes::probabilities);
  CHECK(what_loss_takes(SoftmaxCrossEntropy(Reduction::sum)) == Takes::logits);
  std::map<std::string, bool> probabilities;
  for (const ActivationEntry& entry : activation_table()) probabilities[entry.name] = gives_probabilities(entry);
  CHECK(probabilities["sigmoid"]);
  CHECK(probabilities["softmax"]);
  CHECK_FALSE(probabilities["tanh"]);
  CHECK_FALSE(probabilities["relu"]);
  CHECK_FALSE(probabilities["identity"]);
  CHECK(what_loss_takes(SparseSoftmaxCrossEntropy()) == Takes::logits);
  CHECK(what_loss_takes(CategoricalCrossEntropy()) == Takes::probabilities);
  CHECK(what_loss_takes(Hinge()) == Takes::real);
  CHECK(targets_for(Hinge(), {1, 0}, 2) == Matrix{{-1, 1}, {1, -1}});
  CHECK(targets_for(SparseSoftmaxCrossEntropy(), {1, 0}, 2) == Matrix{{1}, {0}});
  for (const ActivationEntry& entry : activation_table()) {
    const std::string name = entry.name;
    INFO(name);
    CHECK(passes_gradient(entry) == (name != "heaviside" && name != "sign"));
  }
}

TEST_CASE("every activation with every loss passes the gradient check", "[gradcheck]") {
  // For each loss of loss_table() (both reductions) and each activation g of activation_table():
  //   Dense(3→6) → g → Dense(→6) → g → Dense(→6) → head
  // where the head is g itself when the loss takes what g gives, and otherwise the loss's plain
  // head: none for logits and real predictions, the first probability-giving activation for a
  // loss on probabilities. So every activation is checked in hidden layers with every loss, and
  // at the output with every loss that makes sense after it — except activations that pass no
  // gradient (the step, the sign), which are never heads. Parameters and dL/dX are checked.
  std::map<std::string, std::size_t> as_head;
  for (const LossEntry& loss_entry : loss_table()) {
    for (Reduction reduction : {Reduction::mean, Reduction::sum}) {
      const auto loss = loss_entry.make(reduction);
      const Takes takes = what_loss_takes(*loss);
      std::vector<std::string> heads;  // the activations that make sense before this loss
      for (const ActivationEntry& entry : activation_table())
        if (passes_gradient(entry) &&
            (takes == Takes::real || (takes == Takes::probabilities && gives_probabilities(entry))))
          heads.emplace_back(entry.name);
      if (takes == Takes::probabilities)
        REQUIRE_FALSE(heads.empty());  // some activation must feed a loss on probabilities
      const std::string plain_head = takes == Takes::probabilities ? heads.front() : "";

      for (const ActivationEntry& g : activation_table()) {
        const bool g_heads = std::find(heads.begin(), heads.end(), g.name) != heads.end();
        const std::string head = g_heads ? g.name : plain_head;
        Rng rng(41);
        Network net;
        net.dense(3, 6, rng).activation(g.name);
        net.dense(net.output_width(), 6, rng).activation(g.name);
        net.dense(net.output_width(), 6, rng);
        if (!head.empty()) net.activation(head);
        const std::size_t out = net.output_width();
        const Matrix X = Matrix::uniform(5, 3, rng, -1, 1);
        // class targets, in the form the loss takes: they suit every kind of loss (regression losses too)
        const Matrix T = targets_for(*loss, {0, 1 % out, (out - 1) % out, 1 % out, 0}, out);

        GradCheckOptions options;
        options.check_input = true;
        const GradCheckReport report = check_network(net, *loss, X, T, options);
        INFO(loss->describe() << ", hidden " << g.name << ", head " << (head.empty() ? "none" : head) << ": "
                              << report.summary() << "\n" << report.table(true).render());
        CHECK(report.passed());
        CHECK(report.failed == 0);
        CHECK(report.elements.size() == net.parameter_count() + X.size());
        if (g_heads) ++as_head[g.name];
      }
    }
  }
  // Every activation that passes a gradient fits at the output of at least one loss (mse takes any).
  for (const ActivationEntry& g : activation_table()) {
    INFO(g.name);
    CHECK((as_head[g.name] > 0) == passes_gradient(g));
  }
}

TEST_CASE("a gradient check refuses to mix modes", "[gradcheck]") {
  Rng init(5);
  Network net;
  net.dense(2, 3, init).batch_norm().activation("tanh").dropout(0.5, Rng(8)).dense(3, 1, init);
  const Matrix X{{0.5, -1.0}, {1.5, 0.3}, {-0.2, 0.8}};
  const Matrix T{{1.0}, {0.0}, {0.5}};
  const MeanSquaredError mse;
  // Every layer in the network's mode: checked, in either mode.
  CHECK(check_network(net, mse, X, T).passed());
  net.eval();
  CHECK(check_network(net, mse, X, T).passed());
  // One layer switched alone: the network would run half in each mode.
  net.layer(1).set_training(true);
  CHECK_THROWS_WITH(check_network(net, mse, X, T),
                    Catch::Contains("the network is in eval mode but layers[1] (BatchNorm(3)) is in train mode"));
  CHECK_THROWS_WITH(h_sweep(net, mse, X, T, "layers[0].W", 0, 0, {1e-5}), Catch::Contains("layers[1]"));
  // Asked for one mode, in the other: refused, not silently checked.
  net.eval();
  GradCheckOptions training;
  training.training = true;
  CHECK_THROWS_WITH(check_network(net, mse, X, T, training),
                    Catch::Contains("asked to check in train mode but the network is in eval mode"));
  net.train();
  CHECK(check_network(net, mse, X, T, training).passed());
}

TEST_CASE("the dropout mask is held through a check: without holding it the check fails", "[gradcheck]") {
  // The same network checked through the engine with a forward pass that draws a new mask on every
  // call: the differences then measure the masks, not the gradient, and the check must fail.
  Rng init(4);
  Network net;
  net.dense(3, 6, init).activation("tanh").dropout(0.5, Rng(12)).dense(6, 1, init);
  const Matrix X{{0.5, -1.0, 0.25}, {1.5, 0.3, -0.7}};
  const Matrix T{{1.0}, {0.0}};
  const MeanSquaredError mse;
  net.zero_grad();
  net.backward(mse.gradient(net.forward(X), T));
  std::vector<CheckedTensor> tensors;
  for (ParameterRef& p : net.parameters()) tensors.push_back({p.name, &p.value, p.grad});
  const GradCheckReport unheld = check_gradients(
      "unheld", std::move(tensors), [&] { return mse.value(net.forward(X), T); }, nullptr, {});
  CHECK(unheld.verdict == CheckVerdict::fail);
  CHECK(check_network(net, mse, X, T).passed());
}
