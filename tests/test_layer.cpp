// Tests for what glassbox/nn/layer.hpp adds for chapters 11–12: buffers (state a layer keeps but
// nothing learns) and the training/evaluation mode, through two layers that exist only here. They
// show that the network names buffers like parameters, that optimizers and gradient checks leave
// them alone, that train()/eval() reach every layer, and that the training loop steps in training
// mode and evaluates in evaluation mode — recording the mode in traces only when a layer has modes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "glassbox/train/gradcheck.hpp"
#include "glassbox/train/train.hpp"
#include "test_files.hpp"

using namespace glassbox;
namespace fs = std::filesystem;

namespace {

// N = batch size, in = out = width.
// Y = (X − m) ⊙ s        s:(1×in) a parameter;  m:(1×in) a buffer, the running mean of the inputs
// Each forward pass first moves m halfway to the batch's column means, m ← ½·m₀ + ½·mean_rows(X),
// then reads it: batch normalization's running mean without the rest of batch normalization. So
// dL/ds = Σ_rows dY ⊙ (X − m) ;  dL/dX = dY ⊙ s − (1/2N)·Σ_rows(dY ⊙ s)   (m depends on X too)
class CenterScale final : public Layer {
public:
  explicit CenterScale(std::size_t width) : s(Matrix(1, width, 1.5)), ds(1, width), m(1, width) {}

  std::string describe() const override { return "CenterScale"; }
  std::size_t input_width() const override { return s.cols(); }
  std::size_t output_width() const override { return s.cols(); }

  const Matrix& forward(const Matrix& X) override {
    require_input_width("forward", X);
    m = m * 0.5 + mean_rows(X) * 0.5;
    centered_ = add_row_vector(X, -m);
    Y_ = hadamard(centered_, broadcast(s, X.rows()));
    return Y_;
  }
  const Matrix& backward(const Matrix& dY) override {
    require_output_shape(dY, Y_);
    ds += sum_rows(hadamard(dY, centered_));
    const Matrix dY_s = hadamard(dY, broadcast(s, dY.rows()));
    dX_ = add_row_vector(dY_s, sum_rows(dY_s) * (-0.5 / static_cast<double>(dY.rows())));
    return dX_;
  }

  std::vector<ParameterRef> parameters() override { return {{"s", s, ds}}; }
  std::vector<BufferRef> buffers() override { return {{"running_mean", m}}; }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<CenterScale>(*this); }

  Matrix s, ds;
  Matrix m;

private:
  static Matrix broadcast(const Matrix& row, std::size_t rows) { return add_row_vector(Matrix(rows, row.cols()), row); }
  Matrix centered_, Y_, dX_;
};

// Y = 2·X in training mode, Y = X in evaluation mode; dL/dX = dY scaled alike. Appends each
// forward pass's mode ('T' or 'E') to a log shared with the test.
class DoubleWhileTraining final : public Layer {
public:
  DoubleWhileTraining(std::size_t width, std::shared_ptr<std::string> log) : width_(width), log_(std::move(log)) {}

  std::string describe() const override { return "DoubleWhileTraining"; }
  std::size_t input_width() const override { return width_; }
  std::size_t output_width() const override { return width_; }
  bool has_modes() const override { return true; }

  const Matrix& forward(const Matrix& X) override {
    require_input_width("forward", X);
    if (log_) *log_ += training() ? 'T' : 'E';
    factor_ = training() ? 2.0 : 1.0;
    Y_ = X * factor_;
    return Y_;
  }
  const Matrix& backward(const Matrix& dY) override {
    require_output_shape(dY, Y_);
    dX_ = dY * factor_;
    return dX_;
  }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<DoubleWhileTraining>(*this); }

private:
  std::size_t width_;
  std::shared_ptr<std::string> log_;
  double factor_ = 1;
  Matrix Y_, dX_;
};

// Dense(2→3, tanh) → CenterScale(3) → Dense(3→1): a buffer at position 2.
Network network_with_buffer() {
  Network net;
  net.dense(Matrix{{0.5, -0.3}, {0.2, 0.8}, {-0.7, 0.1}}, Matrix{{0.1, -0.2, 0.05}});
  net.activation("tanh");
  net.add(std::make_unique<CenterScale>(3));
  net.dense(Matrix{{0.3, -0.6, 0.9}}, Matrix{{0.2}});
  return net;
}

const Matrix kX{{0.1, 0.9}, {-0.4, 0.3}, {0.8, -0.2}, {0.5, 0.5}};
const Matrix kT{{0.3}, {-0.1}, {0.6}, {0.2}};

std::vector<std::string> names_of(const std::vector<BufferRef>& refs) {
  std::vector<std::string> names;
  for (const BufferRef& r : refs) names.push_back(r.name);
  return names;
}

std::vector<std::string> names_of(const std::vector<ParameterRef>& refs) {
  std::vector<std::string> names;
  for (const ParameterRef& r : refs) names.push_back(r.name);
  return names;
}

}  // namespace

// ---- buffers ------------------------------------------------------------------------------------

TEST_CASE("a layer's buffers are named by its position, apart from the parameters", "[layer]") {
  Network net = network_with_buffer();
  auto& layer = dynamic_cast<CenterScale&>(net.layer(2));
  CHECK(names_of(net.buffers()) == std::vector<std::string>{"layers[2].running_mean"});
  CHECK(names_of(net.parameters()) ==
        std::vector<std::string>{"layers[0].W", "layers[0].b", "layers[2].s", "layers[3].W", "layers[3].b"});
  CHECK(&net.buffer("layers[2].running_mean").value == &layer.m);
  CHECK(net.buffer_count() == 3);
  CHECK(net.parameter_count() == 6 + 3 + 3 + 3 + 1);  // the buffer is not a parameter

  // state(): layer by layer, parameters then buffers
  std::vector<std::string> state;
  for (const Network::TensorRef& t : net.state())
    state.push_back(t.name + (t.kind == Network::TensorKind::buffer ? " (buffer)" : ""));
  CHECK(state == std::vector<std::string>{"layers[0].W", "layers[0].b", "layers[2].s",
                                          "layers[2].running_mean (buffer)", "layers[3].W", "layers[3].b"});

  REQUIRE_THROWS_AS(net.buffer("layers[2].running_var"), InputError);
  REQUIRE_THROWS_WITH(net.buffer("layers[2].running_var"),
                      Catch::Contains("no buffer \"layers[2].running_var\"") &&
                          Catch::Contains("it has: layers[2].running_mean"));
  Network plain;
  plain.dense(Matrix{{1.0}}, Matrix{{0.0}});
  CHECK(plain.buffers().empty());
  REQUIRE_THROWS_WITH(plain.buffer("layers[0].running_mean"), Catch::Contains("it has none"));
}

TEST_CASE("the summary counts buffers in a column of their own, only when there are any", "[layer]") {
  const std::string with = network_with_buffer().summary().render();
  CHECK(with.find("buffers") != std::string::npos);
  CHECK(with.find("CenterScale") != std::string::npos);
  Network plain;
  plain.dense(Matrix{{1.0, 2.0}}, Matrix{{0.0}}).activation("sigmoid");
  const std::string without = plain.summary().render();
  CHECK(without.find("buffers") == std::string::npos);
  // the total row: 16 parameters, 3 buffer elements
  const auto total = with.substr(with.find("total"));
  CHECK(total.find("16") != std::string::npos);
  CHECK(total.find('3') != std::string::npos);
}

TEST_CASE("an optimizer step changes the parameters and never a buffer", "[layer]") {
  Network net = network_with_buffer();
  const auto& layer = dynamic_cast<const CenterScale&>(net.layer(2));
  MeanSquaredError mse;
  net.zero_grad();
  net.backward(mse.gradient(net.forward(kX), kT));
  const Matrix m_before = layer.m, s_before = layer.s;
  CHECK(m_before != Matrix(1, 3));  // the forward pass moved the running mean
  SGD sgd(0.5);
  std::vector<ParameterRef> parameters = net.parameters();
  sgd.step(parameters);
  CHECK(layer.s != s_before);  // a parameter moved …
  CHECK(layer.m == m_before);  // … the buffer did not
}

TEST_CASE("a gradient check compares passes from the same buffers, checks no buffer and restores them", "[layer]") {
  Network net = network_with_buffer();
  const auto& layer = dynamic_cast<const CenterScale&>(net.layer(2));
  net.forward(kX);  // a running mean that is not zero
  const Matrix m_before = layer.m;
  MeanSquaredError mse;
  const GradCheckReport report = check_network(net, mse, kX, kT);
  INFO(report.summary());
  CHECK(report.passed());
  std::vector<std::string> checked;
  for (const GradCheckTensor& t : report.tensors) checked.push_back(t.name);
  CHECK(checked == names_of(net.parameters()));
  CHECK(layer.m == m_before);
  CHECK(report.mode.empty());  // CenterScale ignores the mode: no mode to report
  CHECK_FALSE(report.to_json().contains("mode"));

  // Without restoring the buffer between passes, f(θ + h) and f(θ − h) would see different running
  // means, and the differences would measure the drift of m instead of the derivative.
  Network drifting = network_with_buffer();
  ParameterRef s = drifting.parameter("layers[2].s");
  drifting.zero_grad();
  drifting.backward(mse.gradient(drifting.forward(kX), kT));
  const double analytic = s.grad(0, 0);
  const double h = 1e-5;
  s.value(0, 0) += h;
  const double up = mse.value(drifting.forward(kX), kT);
  s.value(0, 0) -= 2 * h;
  const double down = mse.value(drifting.forward(kX), kT);
  CHECK(std::abs((up - down) / (2 * h) - analytic) > 1e-3 * std::abs(analytic));
}

TEST_CASE("a copy keeps the buffers' values", "[layer]") {
  Network net = network_with_buffer();
  net.forward(kX);
  const Network copy(net);
  CHECK(dynamic_cast<const CenterScale&>(copy.layer(2)).m == dynamic_cast<const CenterScale&>(net.layer(2)).m);
}

// ---- the mode -----------------------------------------------------------------------------------

TEST_CASE("train() and eval() reach every layer, and a copy or a new layer takes the network's mode", "[layer]") {
  const Matrix X{{1.0}, {-2.0}};
  Network net;
  net.dense(Matrix{{1.0}}, Matrix{{0.0}});
  net.add(std::make_unique<DoubleWhileTraining>(1, nullptr));
  CHECK(net.has_modes());
  CHECK(net.training());  // training mode until told otherwise
  CHECK(std::string(net.mode()) == "train");
  CHECK(net.forward(X) == Matrix{{2.0}, {-4.0}});

  net.eval();
  CHECK_FALSE(net.training());
  CHECK_FALSE(net.layer(0).training());
  CHECK_FALSE(net.layer(1).training());
  CHECK(net.forward(X) == Matrix{{1.0}, {-2.0}});

  const Network copy(net);
  CHECK_FALSE(copy.training());
  CHECK_FALSE(copy.layer(1).training());
  net.add(std::make_unique<DoubleWhileTraining>(1, nullptr));
  CHECK_FALSE(net.layer(2).training());
  CHECK(net.forward(X) == Matrix{{1.0}, {-2.0}});

  {
    const ModeScope training(net, true);
    CHECK(net.forward(X) == Matrix{{4.0}, {-8.0}});
  }
  CHECK_FALSE(net.training());
  net.train();
  CHECK(net.layer(2).training());
  CHECK(net.forward(X) == Matrix{{4.0}, {-8.0}});

  Network plain;
  plain.dense(Matrix{{1.0}}, Matrix{{0.0}}).activation("relu");
  CHECK_FALSE(plain.has_modes());
}

TEST_CASE("the training loop steps in training mode, evaluates in evaluation mode, and restores the mode",
          "[layer]") {
  const Matrix X{{1.0}, {2.0}, {3.0}, {4.0}};
  const Matrix T{{1.0}, {2.0}, {3.0}, {4.0}};
  for (const bool start_in_training : {true, false}) {
    auto log = std::make_shared<std::string>();
    Network net;
    net.dense(Matrix{{0.4}}, Matrix{{0.1}});
    net.add(std::make_unique<DoubleWhileTraining>(1, log));
    net.set_training(start_in_training);
    SGD sgd(0.01);
    Rng rng(1);
    TrainOptions options;
    options.epochs = 2;
    options.batch_size = 2;
    options.shuffle = false;
    const MeanSquaredError mse;
    const auto history = train(net, mse, sgd, X, T, rng, options);
    CHECK(*log == "TTETTE");  // two steps, then the whole set; twice
    CHECK(net.training() == start_in_training);
    REQUIRE(history.size() == 2);
    CHECK(history.back().mode == "eval");

    // The epoch's loss is the evaluation-mode loss (Y = z), not the training-mode one (Y = 2z).
    log->clear();
    const double eval_loss = evaluate(net, mse, X, T).loss;
    CHECK(history.back().loss == eval_loss);
    net.train();
    const double training_loss = mse.value(net.forward(X), T);
    CHECK(training_loss != eval_loss);
    CHECK(predict(net, X) == net.layer_output(0));  // ŷ = z in evaluation mode
    CHECK(net.training());  // predict() and evaluate() give the mode back
    CHECK(*log == "ETE");
  }
}

TEST_CASE("gradient checks run in the network's mode and say which", "[layer]") {
  Network net;
  net.dense(Matrix{{0.4, -0.2}}, Matrix{{0.1}});
  net.add(std::make_unique<DoubleWhileTraining>(1, nullptr));
  const Matrix X{{0.5, 1.0}, {-1.0, 0.3}};
  const Matrix T{{0.2}, {0.7}};
  const MeanSquaredError mse;
  const GradCheckReport in_training = check_network(net, mse, X, T);
  net.eval();
  const GradCheckReport in_eval = check_network(net, mse, X, T);
  CHECK(in_training.passed());
  CHECK(in_eval.passed());
  CHECK(in_training.mode == "train");
  CHECK(in_eval.mode == "eval");
  CHECK(in_eval.to_json()["mode"] == "eval");
  CHECK_FALSE(net.training());  // the check does not change the mode
  // dL/dW differs by the factor 2 of training mode (and the different residuals it brings)
  CHECK(in_training.elements[0].analytic != in_eval.elements[0].analytic);
  CHECK(h_sweep(net, mse, X, T, "layers[0].W", 0, 0, {1e-5}).mode == "eval");
}

TEST_CASE("traces record the mode only for a network with mode-dependent layers", "[layer]") {
  const Matrix X{{0.5}, {1.0}};
  const Matrix T{{0.2}, {0.7}};
  Network modal;
  modal.dense(Matrix{{0.4}}, Matrix{{0.1}});
  modal.add(std::make_unique<DoubleWhileTraining>(1, nullptr));
  Network plain;
  plain.dense(Matrix{{0.4}}, Matrix{{0.1}}).activation("sigmoid");
  for (Network* net : {&modal, &plain}) {
    net->forward(X);
    net->backward(Matrix{{1.0}, {1.0}});
  }
  const Network::Stage first = modal.stages()[0];
  CHECK(forward_event(modal, first, {1, 1})["mode"] == "train");
  CHECK(backward_event(modal, first, {1, 1})["mode"] == "train");
  modal.eval();
  CHECK(forward_event(modal, first, {1, 1})["mode"] == "eval");
  CHECK_FALSE(forward_event(plain, plain.stages()[0], {1, 1}).contains("mode"));
  CHECK_FALSE(backward_event(plain, plain.stages()[0], {1, 1}).contains("mode"));
  CHECK(step_event({1, 1}, 2, 0.5, plain.parameters(), "train")["mode"] == "train");
  CHECK_FALSE(step_event({1, 1}, 2, 0.5, plain.parameters()).contains("mode"));

  // A whole traced run: every step, forward and backward event says "train", every epoch "eval",
  // and the trace still validates against docs/trace.schema.json.
  modal.train();
  const fs::path dir = "layer_test_output";
  fs::create_directories(dir);
  const fs::path path = dir / "modes.json";
  {
    Tracer tracer(path, TraceLevel::full, {"test_layer", 0, 1, Json::object(), modal.describe()});
    SGD sgd(0.1);
    Rng rng(1);
    TrainOptions options;
    options.epochs = 2;
    train(modal, MeanSquaredError(), sgd, X, T, rng, options, tracer);
    tracer.finish();
  }
  std::ifstream in(path);
  const Json doc = Json::parse(in);
  std::size_t with_train = 0, with_eval = 0, updates = 0;
  for (const Json& e : doc["events"]) {
    const std::string kind = e["event"];
    if (kind == "update") {
      ++updates;
      CHECK_FALSE(e.contains("mode"));
    } else if (kind == "epoch") {
      with_eval += e["mode"] == "eval";
    } else {
      with_train += e["mode"] == "train";
    }
  }
  CHECK(with_eval == 2);
  CHECK(with_train == 2 * (2 + 2 + 1));  // per step: 2 forward, 2 backward, 1 step
  CHECK(updates == 2 * 2);
  CHECK(glassbox::testing::validates(path));
}
