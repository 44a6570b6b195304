// Tests for glassbox/train/train.hpp: the classic worked example (2-2-2 sigmoid network, one step) to the
// published digits, mini-batching and shuffling, learning XOR, non-finite numbers named where they
// appear, and the trace events validated against docs/trace.schema.json.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "glassbox/core/kernel.hpp"
#include "glassbox/data/examples.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/train/train.hpp"
#include "test_files.hpp"

using namespace glassbox;
using glassbox::testing::read_text;
using glassbox::testing::validates;
namespace fs = std::filesystem;

namespace {

// The worked example (glassbox/data/examples.hpp): inputs i1, i2 = 0.05, 0.10; targets 0.01, 0.99;
// w1…w8 as published; biases 0.35 (hidden) and 0.60 (output), held fixed.
const Matrix kInput{{0.05, 0.10}};
const Matrix kTarget{{0.01, 0.99}};

Json read_json(const fs::path& p) {
  std::ifstream in(p);
  REQUIRE(in);
  return Json::parse(in);
}

// XOR: four samples, one output.
const Matrix kXorX{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
const Matrix kXorT{{0}, {1}, {1}, {0}};

Network xor_network(Rng& rng) {
  Network net;
  net.dense(2, 8, rng).activation("tanh").dense(8, 1, rng).activation("sigmoid");
  return net;
}

}  // namespace

TEST_CASE("the classic worked example: total error and one update to the published digits", "[train]") {
  Network net = worked_example_network();
  SGD sgd(0.5);
  const HalfSumSquares loss;
  const double E = train_step(net, loss, sgd, kInput, kTarget, {1, 1});
  CHECK(E == Approx(0.298371109).margin(5e-10));
  CHECK(net.layer_output(1)(0, 0) == Approx(0.593269992).margin(5e-10));  // out_h1
  CHECK(net.layer_output(3)(0, 0) == Approx(0.75136507).margin(5e-9));    // out_o1
  CHECK(net.layer_output(3)(0, 1) == Approx(0.772928465).margin(5e-10));  // out_o2
  CHECK(dynamic_cast<Dense&>(net.layer(2)).dW(0, 0) == Approx(0.082167041).margin(5e-10));  // ∂E/∂w5

  const Matrix& W1 = net.parameter("layers[0].W").value;
  const Matrix& W2 = net.parameter("layers[2].W").value;
  CHECK(W2(0, 0) == Approx(0.35891648).margin(5e-9));    // w5
  CHECK(W2(0, 1) == Approx(0.408666186).margin(5e-10));  // w6
  CHECK(W2(1, 0) == Approx(0.511301270).margin(5e-10));  // w7
  CHECK(W2(1, 1) == Approx(0.561370121).margin(5e-10));  // w8
  CHECK(W1(0, 0) == Approx(0.149780716).margin(5e-10));  // w1
  CHECK(W1(0, 1) == Approx(0.19956143).margin(5e-9));    // w2
  CHECK(W1(1, 0) == Approx(0.24975114).margin(5e-9));    // w3
  CHECK(W1(1, 1) == Approx(0.29950229).margin(5e-9));    // w4
  CHECK(net.parameter("layers[0].b").value == Matrix{{0.35, 0.35}});
  CHECK(net.parameter("layers[2].b").value == Matrix{{0.60, 0.60}});
}

TEST_CASE("mini-batches: ceil(N/B) updates per epoch, the same seed gives the same run", "[train]") {
  Rng data_rng(3);
  const Matrix X = Matrix::uniform(10, 2, data_rng, -1, 1);
  const Matrix T = Matrix::uniform(10, 1, data_rng, 0, 1);
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 4;
  const auto run = [&](std::uint64_t seed) {
    Rng rng(seed);
    Network net;
    net.dense(2, 3, rng).activation("sigmoid").dense(3, 1, rng);
    SGD sgd(0.1);
    return train(net, MeanSquaredError(), sgd, X, T, rng, options);
  };
  const auto a = run(7), b = run(7), c = run(8);
  REQUIRE(a.size() == 3);
  CHECK(a[0].steps == 3);
  CHECK(a[2].steps == 9);
  CHECK(a[2].epoch == 3);
  CHECK_FALSE(a[0].accuracy.has_value());
  for (std::size_t e = 0; e < 3; ++e) {
    CHECK(a[e].loss == b[e].loss);
    CHECK(a[e].mean_batch_loss == b[e].mean_batch_loss);
  }
  CHECK(a[2].loss != c[2].loss);
}

TEST_CASE("shuffling changes the order of the batches, not the full-batch gradient", "[train]") {
  const auto run = [&](bool shuffle, std::uint64_t order_seed) {
    Rng init(1);
    Network net = xor_network(init);
    SGD sgd(0.3);
    Rng rng(order_seed);
    TrainOptions options;
    options.epochs = 2;
    options.shuffle = shuffle;
    return train(net, BinaryCrossEntropy(), sgd, kXorX, kXorT, rng, options)[1].loss;
  };
  // Full batch: the order of the rows only reorders a sum.
  CHECK(run(true, 1) == Approx(run(false, 1)).epsilon(1e-12));
}

TEST_CASE("a small network learns XOR, and accuracy is reported each epoch", "[train]") {
  Rng rng(2);
  Network net = xor_network(rng);
  SGD sgd(0.5);
  TrainOptions options;
  options.epochs = 2000;
  options.classification = true;
  std::size_t calls = 0;
  const auto history = train(net, BinaryCrossEntropy(), sgd, kXorX, kXorT, rng, options, Tracer::none(),
                             [&](const EpochStats& s) { CHECK(s.epoch == ++calls); });
  CHECK(calls == 2000);
  REQUIRE(history.back().accuracy.has_value());
  CHECK(*history.back().accuracy == 1.0);
  CHECK(history.back().loss < 0.1 * history.front().loss);
  const Evaluation e = evaluate(net, BinaryCrossEntropy(), kXorX, kXorT, options);
  CHECK(e.loss == history.back().loss);
}

TEST_CASE("on_batch: called once per batch with the batch's loss and accuracy, before its update", "[train]") {
  Rng rng(2);
  Network net = xor_network(rng);
  SGD sgd(0.5);
  TrainOptions options;
  options.epochs = 2;
  options.batch_size = 3;  // 4 samples: batches of 3 and 1, in file order
  options.shuffle = false;
  options.classification = true;
  // The first batch is rows 0–2 with the weights as initialised: its loss and accuracy, computed here
  // before training, are what the hook must report for it.
  const Matrix X3{{0, 0}, {0, 1}, {1, 0}}, T3{{0}, {1}, {1}};
  const double first_loss = BinaryCrossEntropy().value(predict(net, X3), T3);
  const double first_accuracy = accuracy(predict(net, X3), T3);
  std::vector<BatchStats> seen;
  options.on_batch = [&](const BatchStats& b) { seen.push_back(b); };
  const auto history = train(net, BinaryCrossEntropy(), sgd, kXorX, kXorT, rng, options);
  REQUIRE(seen.size() == 4);  // 2 epochs × ⌈4/3⌉ = 2 batches
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(seen[i].epoch == i / 2 + 1);
    CHECK(seen[i].step == i + 1);
    CHECK(seen[i].batch == i % 2 + 1);
    CHECK(seen[i].batches == 2);
    CHECK(seen[i].samples == (i % 2 == 0 ? 3u : 1u));
    CHECK(seen[i].accuracy.has_value());
  }
  CHECK(seen[0].loss == first_loss);
  CHECK(*seen[0].accuracy == first_accuracy);
  // The epoch's mean batch loss is the mean of the losses the hook saw, summed in the same order.
  CHECK(history[0].mean_batch_loss == (seen[0].loss + seen[1].loss) / 2);
  CHECK(history[1].mean_batch_loss == (seen[2].loss + seen[3].loss) / 2);
  // Without classification there is no accuracy to report.
  options.classification = false;
  seen.clear();
  train(net, BinaryCrossEntropy(), sgd, kXorX, kXorT, rng, options);
  REQUIRE(seen.size() == 4);
  CHECK_FALSE(seen[0].accuracy.has_value());
}

TEST_CASE("accuracy: argmax for several outputs, a threshold for one", "[train]") {
  CHECK(accuracy(Matrix{{0.1, 0.9}, {0.8, 0.2}, {0.3, 0.7}}, Matrix{{0, 1}, {0, 1}, {0, 1}}) == Approx(2.0 / 3));
  CHECK(accuracy(Matrix{{0.6}, {0.4}, {0.5}, {0.1}}, Matrix{{1}, {0}, {0}, {0}}) == 0.75);
  CHECK(accuracy(Matrix{{0.2}, {-0.3}}, Matrix{{1}, {-1}}, 0.0) == 1.0);
  // logits against 0/1 labels: the threshold applies to the output only
  CHECK(accuracy(Matrix{{2.0}, {-1.0}, {0.5}, {-3.0}}, Matrix{{1}, {0}, {0}, {1}}, 0.0) == 0.5);
  CHECK_THROWS_AS(accuracy(Matrix(2, 1), Matrix(3, 1)), ShapeError);
}

TEST_CASE("accuracy of multilabel outputs: a sample counts when every label is right", "[train]") {
  // Logits; targets any combination of labels. Row 1 has both labels, row 3 neither.
  const Matrix P{{2.0, -1.0}, {1.0, 0.5}, {1.0, 3.0}, {-0.1, -2.0}};
  const Matrix T{{1, 0}, {1, 1}, {0, 1}, {0, 0}};
  CHECK(accuracy(P, T, 0.0, true) == 0.75);  // row 2 has label 0 wrong
  // Read as one class out of two (argmax), every row would count as right.
  CHECK(accuracy(P, T, 0.0, false) == 1.0);
  // A class-index column is not a multilabel target.
  CHECK_THROWS_AS(accuracy(P, Matrix{{0}, {1}, {1}, {0}}, 0.0, true), ShapeError);
}

TEST_CASE("non-finite numbers stop training, named where they first appear", "[train]") {
  const HalfSumSquares loss;
  SGD sgd(0.1);
  SECTION("in the input") {
    Network net = worked_example_network();
    const Matrix X{{0.05, std::nan("")}};
    CHECK_THROWS_WITH(train_step(net, loss, sgd, X, kTarget, {2, 5}),
                      Catch::Contains("epoch 2, step 5") && Catch::Contains("input") &&
                          Catch::Contains("element (0, 1) is nan"));
  }
  SECTION("in a layer's output") {
    Network net;
    net.dense(Matrix{{1e200}}, Matrix{{0}}).activation("identity").dense(Matrix{{1e200}}, Matrix{{0}});
    CHECK_THROWS_WITH(train_step(net, loss, sgd, Matrix{{1e200}}, Matrix{{0}}, {1, 1}),
                      Catch::Contains("layers[0]") && Catch::Contains("is inf"));
  }
  SECTION("in a parameter after the update") {
    Network net;
    net.dense(Matrix{{1}}, Matrix{{0}});
    SGD huge(1e300);  // dL/dW = 1e20, so Δw = −1e320 overflows
    CHECK_THROWS_WITH(train_step(net, loss, huge, Matrix{{1e10}}, Matrix{{0}}, {1, 1}),
                      Catch::Contains("layers[0].W") && Catch::Contains("after the update"));
  }
  SECTION("shapes that do not fit") {
    Network net = worked_example_network();
    Rng rng(1);
    CHECK_THROWS_AS(train(net, loss, sgd, Matrix(3, 2), Matrix(2, 2), rng, {}), ShapeError);
    CHECK_THROWS_WITH(train(net, loss, sgd, Matrix(3, 3), Matrix(3, 2), rng, {}), Catch::Contains("(3×3)"));
  }
}

TEST_CASE("a full trace of training validates, and is identical for the same seed", "[train]") {
  const fs::path dir = "train_test_output";
  fs::create_directories(dir);
  const auto run = [&](const fs::path& path) {
    Rng rng(4);
    Network net = xor_network(rng);
    net.freeze("layers[2].b");
    SGD sgd(0.5);
    Tracer tracer(path, TraceLevel::full, {"test_train", 0, 4, Json{{"lr", 0.5}}, net.describe()});
    TrainOptions options;
    options.epochs = 2;
    options.batch_size = 3;
    options.classification = true;
    train(net, BinaryCrossEntropy(), sgd, kXorX, kXorT, rng, options, tracer);
    tracer.record(TraceLevel::summary, check_network(net, BinaryCrossEntropy(), kXorX, kXorT).to_json());
    tracer.finish(Json{{"done", true}});
  };
  run(dir / "a.json");
  run(dir / "b.json");
  CHECK(read_text(dir / "a.json") == read_text(dir / "b.json"));
  CHECK(validates(dir / "a.json"));

  const Json doc = read_json(dir / "a.json");
  const Json& events = doc["events"];
  // Step 1: forward per stage, backward per stage (last first), the step, an update per parameter.
  std::vector<std::string> kinds;
  for (std::size_t i = 0; i < 9; ++i) kinds.push_back(events[i]["event"]);
  CHECK(kinds == std::vector<std::string>{"forward", "forward", "backward", "backward", "step", "update", "update",
                                          "update", "update"});
  CHECK(events[0]["stage"] == "Dense(2→8, tanh)");
  CHECK(events[0]["input"].size() == 3);  // a batch of 3
  CHECK(events[2]["layer"] == 2);
  CHECK(events[2].contains("dL_da"));
  CHECK(events[2].contains("dL_dz"));
  CHECK(events[2].contains("dL_dW"));
  CHECK(events[4]["gradient_norms"].contains("layers[0].W"));
  // update = −η·dL/dW, and W_after = W before + update
  const Matrix dW = matrix_from_json(events[2]["dL_dW"]);
  const Json& update_W = events[7];
  CHECK(update_W["parameter"] == "layers[2].W");
  CHECK(max_abs_diff(matrix_from_json(update_W["update"]), dW * -0.5) == 0);
  CHECK(events[8]["frozen"] == true);
  CHECK(matrix_from_json(events[8]["update"]) == Matrix{{0}});
  CHECK(events[8].contains("b_after"));
  CHECK(update_W["learning_rate"] == 0.5);
  CHECK(update_W["state"] == Json::object());  // plain SGD keeps nothing

  std::size_t epochs = 0, steps = 0, gradchecks = 0;
  for (const Json& e : events) {
    epochs += e["event"] == "epoch";
    steps += e["event"] == "step";
    gradchecks += e["event"] == "gradcheck";
  }
  CHECK(epochs == 2);
  CHECK(steps == 4);  // 2 batches (3 + 1 samples) per epoch
  CHECK(gradchecks == 1);
}

TEST_CASE("a full trace of Adam records its state by name and the rate of each update", "[train]") {
  const fs::path dir = "train_test_output";
  fs::create_directories(dir);
  const auto run = [&](const fs::path& path) {
    Rng rng(4);
    Network net = xor_network(rng);
    net.freeze("layers[2].b");
    Adam adam({.learning_rate = 0.05, .amsgrad = true});
    Tracer tracer(path, TraceLevel::full, {"test_train", 0, 4, Json{{"lr", 0.05}}, net.describe()});
    TrainOptions options;
    options.epochs = 2;
    options.classification = true;
    train(net, BinaryCrossEntropy(), adam, kXorX, kXorT, rng, options, tracer);
    tracer.finish(Json{{"done", true}});
  };
  run(dir / "adam_a.json");
  run(dir / "adam_b.json");
  CHECK(read_text(dir / "adam_a.json") == read_text(dir / "adam_b.json"));
  CHECK(validates(dir / "adam_a.json"));

  const Json doc = read_json(dir / "adam_a.json");
  std::vector<Json> updates;
  for (const Json& e : doc["events"])
    if (e["event"] == "update") updates.push_back(e);
  REQUIRE(updates.size() == 2 * 4);  // 2 full-batch steps, 4 parameters
  const Json& W = updates[2];        // step 1, layers[2].W
  CHECK(W["parameter"] == "layers[2].W");
  CHECK(W["learning_rate"] == 0.05);
  for (const char* name : {"m", "v", "v_max", "m_hat", "v_hat", "denominator"}) CHECK(W["state"].contains(name));
  // At t = 1 m̂ = g and v̂ = g², so Δθ = −η·g/(|g| + ε): each element moves by about η.
  const Matrix m_hat = matrix_from_json(W["state"]["m_hat"]);
  const Matrix update = matrix_from_json(W["update"]);
  const Matrix denominator = matrix_from_json(W["state"]["denominator"]);
  for (std::size_t k = 0; k < update.size(); ++k)
    CHECK(update.data()[k] == Approx(-0.05 * m_hat.data()[k] / denominator.data()[k]).epsilon(1e-15));
  CHECK(updates[3]["frozen"] == true);
  CHECK(updates[3]["state"] == Json::object());  // a frozen parameter keeps no state
}

TEST_CASE("trace levels: summary records only epochs, step adds the updates' losses", "[train]") {
  const fs::path dir = "train_test_output";
  fs::create_directories(dir);
  for (TraceLevel level : {TraceLevel::summary, TraceLevel::step}) {
    Rng rng(4);
    Network net = xor_network(rng);
    SGD sgd(0.5);
    const fs::path path = dir / (std::string(to_string(level)) + ".json");
    Tracer tracer(path, level, {"test_train", 0, 4, Json::object(), net.describe()});
    TrainOptions options;
    options.epochs = 3;
    train(net, BinaryCrossEntropy(), sgd, kXorX, kXorT, rng, options, tracer);
    tracer.finish();
    CHECK(tracer.events_recorded() == (level == TraceLevel::summary ? 3u : 6u));
    CHECK(validates(path));
  }
}

TEST_CASE("epoch_metrics running: the epoch's loss is the batches' running mean, weighted by their rows", "[train]") {
  // Dense(1→1) with W = 1, b = 0 on x = 1, 2, 3 with targets 0, MSE, SGD η = 0.1, batches of 2, in order.
  //   batch 1 (x = 1, 2): ŷ = 1, 2; L = (1 + 4)/2 = 2.5; dL/dŷ = 2ŷ/2 = (1, 2): dW = 1·1 + 2·2 = 5, db = 3
  //                       W = 1 − 0.5 = 0.5, b = −0.3
  //   batch 2 (x = 3):    ŷ = 0.5·3 − 0.3 = 1.2; L = 1.44; dW = 2·1.2·3 = 7.2, db = 2.4
  //                       W = 0.5 − 0.72 = −0.22, b = −0.3 − 0.24 = −0.54
  //   running:  (2.5·2 + 1.44·1)/3 = 6.44/3;   mean_batch_loss (unweighted): (2.5 + 1.44)/2 = 1.97
  //   evaluate: ŷ = −0.76, −0.98, −1.2 → (0.5776 + 0.9604 + 1.44)/3 = 2.978/3
  const Matrix X{{1}, {2}, {3}}, T{{0}, {0}, {0}};
  const auto run = [&](EpochMetrics metrics) {
    Network net;
    net.dense(Matrix{{1}}, Matrix{{0}});
    SGD sgd(0.1);
    Rng rng(1);
    TrainOptions options;
    options.batch_size = 2;
    options.shuffle = false;
    options.epoch_metrics = metrics;
    const EpochStats stats = train(net, MeanSquaredError(), sgd, X, T, rng, options).back();
    CHECK(net.parameter("layers[0].W").value(0, 0) == Approx(-0.22));  // the same training either way
    CHECK(net.parameter("layers[0].b").value(0, 0) == Approx(-0.54));
    return stats;
  };
  const EpochStats running = run(EpochMetrics::running), evaluated = run(EpochMetrics::evaluate);
  CHECK(running.running);
  CHECK_FALSE(evaluated.running);
  CHECK(running.loss == Approx(6.44 / 3));
  CHECK(evaluated.loss == Approx(2.978 / 3));
  CHECK(running.mean_batch_loss == Approx(1.97));
  CHECK(evaluated.mean_batch_loss == running.mean_batch_loss);
  CHECK(epoch_event(running)["epoch_metrics"] == "running");
  CHECK_FALSE(epoch_event(evaluated).contains("epoch_metrics"));  // the default's events are as they were
}

TEST_CASE("epoch_metrics running: accuracy is the share of the epoch's samples their batch got right", "[train]") {
  Rng data_rng(9);
  const Matrix X = Matrix::uniform(11, 2, data_rng, -1, 1);
  Matrix T(11, 1);
  for (std::size_t n = 0; n < 11; ++n) T(n, 0) = X(n, 0) + X(n, 1) > 0 ? 1 : 0;
  Rng rng(4);
  Network net = xor_network(rng);
  SGD sgd(0.5);
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 4;  // 4 + 4 + 3 samples
  options.classification = true;
  options.epoch_metrics = EpochMetrics::running;
  // What the batches reported, per epoch: Σ accuracy·rows (= rows right) and Σ data loss·rows.
  std::vector<double> right(4, 0.0), weighted_loss(4, 0.0);
  options.on_batch = [&](const BatchStats& b) {
    right[b.epoch] += *b.accuracy * static_cast<double>(b.samples);
    weighted_loss[b.epoch] += b.loss * static_cast<double>(b.samples);
  };
  const auto history = train(net, BinaryCrossEntropy(), sgd, X, T, rng, options);
  REQUIRE(history.size() == 3);
  for (const EpochStats& e : history) {
    REQUIRE(e.accuracy.has_value());
    CHECK(*e.accuracy == Approx(right[e.epoch] / 11));
    CHECK(e.loss == Approx(weighted_loss[e.epoch] / 11));
  }
}

TEST_CASE("epoch_metrics running: the trace validates, and the schema takes only \"running\"", "[train]") {
  const fs::path dir = "train_test_output";
  fs::create_directories(dir);
  {
    Rng rng(4);
    Network net = xor_network(rng);
    SGD sgd(0.5);
    Tracer tracer(dir / "running.json", TraceLevel::summary, {"test_train", 0, 4, Json::object(), net.describe()});
    TrainOptions options;
    options.epochs = 2;
    options.batch_size = 3;
    options.classification = true;
    options.epoch_metrics = EpochMetrics::running;
    train(net, BinaryCrossEntropy(), sgd, kXorX, kXorT, rng, options, tracer);
    tracer.finish();
  }
  CHECK(validates(dir / "running.json"));
  Json doc = read_json(dir / "running.json");
  REQUIRE(doc["events"][0]["event"] == "epoch");
  CHECK(doc["events"][0]["epoch_metrics"] == "running");
  doc["events"][0]["epoch_metrics"] = "evaluate";  // the default is written by leaving the field out
  std::ofstream(dir / "running_bad.json") << doc.dump();
  CHECK_FALSE(validates(dir / "running_bad.json"));
}

TEST_CASE("with several threads the next batch is gathered in the background: the same trace bytes as one thread", "[train]") {
  // Batches of 256 rows of 64 numbers are large enough for train() to gather the next batch on the
  // kernel's other threads while a step runs; 600 rows make batches of 256, 256 and 88, so the
  // buffer the next batch goes into changes shape at the end of every epoch. Every step's loss and
  // gradient norms are in the trace, and the weights at the end depend on every row of every batch:
  // a row gathered wrong, or late, shows.
  const fs::path dir = "train_test_output";
  fs::create_directories(dir);
  const std::size_t threads_before = kernel::threads();
  Rng data_rng(11);
  Matrix X(600, 64), T(600, 3);
  for (Scalar& x : X) x = data_rng.uniform(-1, 1);
  for (Scalar& t : T) t = data_rng.uniform(0, 1);
  const auto run = [&](std::size_t threads, const fs::path& path) {
    kernel::set_threads(threads);
    Rng rng(5);
    Network net;
    net.dense(64, 32, rng).activation("relu").dense(32, 3, rng);
    SGD sgd(0.05);
    Tracer tracer(path, TraceLevel::step, {"test_train", 0, 5, Json{{"lr", 0.05}}, net.describe()});
    TrainOptions options;
    options.epochs = 2;
    options.batch_size = 256;
    options.epoch_metrics = EpochMetrics::running;  // no pass over X after an epoch
    train(net, MeanSquaredError(), sgd, X, T, rng, options, tracer);
    CHECK(net.layer_input(0).rows() == 88);  // the last batch stays the network's input after train()
    Json weights = Json::array();
    for (const ParameterRef& p : net.parameters()) weights.push_back(to_json(p.value));
    tracer.finish(Json{{"weights", weights}});
  };
  run(1, dir / "one_thread.json");
  for (std::size_t threads : {2, 3}) {
    INFO(threads << " threads");
    const fs::path path = dir / fmt::format("{}_threads.json", threads);
    run(threads, path);
    CHECK(read_text(path) == read_text(dir / "one_thread.json"));
  }

  // A NaN in one row: whichever batch the shuffle puts it in, every thread count stops at the same
  // step, with the same message.
  X(300, 7) = std::numeric_limits<Scalar>::quiet_NaN();
  std::vector<std::string> messages;
  for (std::size_t threads : {1, 2}) {
    kernel::set_threads(threads);
    Rng rng(5);
    Network net;
    net.dense(64, 32, rng).activation("relu").dense(32, 3, rng);
    SGD sgd(0.05);
    TrainOptions options;
    options.epochs = 2;
    options.batch_size = 256;
    try {
      train(net, MeanSquaredError(), sgd, X, T, rng, options);
      messages.push_back("no error");
    } catch (const NonFiniteError& e) {
      messages.push_back(e.what());
    }
  }
  kernel::set_threads(threads_before);
  CHECK(messages[0].find("epoch 1, step") != std::string::npos);
  CHECK(messages[1] == messages[0]);
}
