// Tests for glassbox/experiment/experiment.hpp: every kind of spec error with its exact message (the JSON path
// first), data inline and from CSV files, specs that round-trip, networks built as specified, and
// runs and gradient checks of specs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "glassbox/nn/activations.hpp"
#include "glassbox/experiment/experiment.hpp"
#include "glassbox/data/synthetic.hpp"

using namespace glassbox;
namespace fs = std::filesystem;

namespace {

// A small valid spec; each test changes one thing.
Json base_spec() {
  return Json::parse(R"({
    "name": "tiny",
    "seed": 3,
    "network": {"inputs": 2, "layers": [{"units": 2, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]},
    "loss": "bce",
    "optimizer": {"name": "sgd", "learning_rate": 0.5},
    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [0, 1, 1, 0]},
    "training": {"epochs": 5}
  })");
}

// The SpecError message parse_experiment gives for `spec`, or "(no error)".
std::string error_of(const Json& spec, const std::string& source = "spec.json") {
  try {
    parse_experiment(spec, source);
  } catch (const SpecError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string example(const std::string& name) { return GLASSBOX_SOURCE_DIR "/examples/" + name + ".json"; }

// Every spec in examples/, by name, sorted.
std::vector<std::string> example_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(GLASSBOX_SOURCE_DIR "/examples"))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A fresh folder for a test's files, under the tests' working directory.
fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path("experiment_test_output") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string known_activations() { return fmt::format("{}", fmt::join(activation_names(), ", ")); }

}  // namespace

// ---- spec errors, one kind at a time ------------------------------------------------------------

TEST_CASE("the base spec of these tests is valid", "[experiment]") { CHECK(error_of(base_spec()) == "(no error)"); }

TEST_CASE("an unknown activation lists the known ones, from the activation table", "[experiment]") {
  Json s = base_spec();
  s["network"]["layers"][1]["activation"] = "rleu";
  CHECK(error_of(s) == "network.layers[1].activation: unknown \"rleu\" (did you mean \"relu\"?); known: " +
                           known_activations());
  s["network"]["layers"][1]["activation"] = 7;
  CHECK(error_of(s) == "network.layers[1].activation: expected the name of an activation (" + known_activations() +
                           "), got 7");
  // Settings an activation does not take are named with the activation's path.
  s["network"]["layers"][1]["activation"] = Json{{"name", "relu"}, {"alpha", 0.1}};
  CHECK(error_of(s) == "network.layers[1].activation: activation relu: takes no options, got {\"alpha\":0.1}");
  s["network"]["layers"][1]["activation"] = Json{{"alpha", 0.1}};
  CHECK(error_of(s) == "network.layers[1].activation.name: missing; expected the activation's name (" +
                           known_activations() + ")");
}

TEST_CASE("explicit weights and biases of the wrong shape", "[experiment]") {
  Json s = base_spec();
  s["network"]["layers"][0]["weights"] = Json::parse("[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]");
  CHECK(error_of(s) == "network.layers[0].weights: expected 2 rows of 2 numbers (out×in = 2×2), got 3 rows");
  s["network"]["layers"][0]["weights"] = Json::parse("[[0.1, 0.2], [0.3]]");
  CHECK(error_of(s) == "network.layers[0].weights[1]: expected 2 numbers (out×in = 2×2), got 1 number");
  s["network"]["layers"][0]["weights"] = Json::parse("[[0.1, 0.2], [0.3, \"x\"]]");
  CHECK(error_of(s) == "network.layers[0].weights[1][1]: expected a number, got the string \"x\"");
  // The second layer's inputs are the first layer's units.
  s = base_spec();
  s["network"]["layers"][1]["weights"] = Json::parse("[[0.1, 0.2, 0.3]]");
  CHECK(error_of(s) == "network.layers[1].weights[0]: expected 2 numbers (out×in = 1×2), got 3 numbers");
  s = base_spec();
  s["network"]["layers"][0]["biases"] = Json::parse("[0.1]");
  CHECK(error_of(s) == "network.layers[0].biases: expected 2 numbers (out = 2), got 1 number");
  s["network"]["layers"][0]["biases"] = 0.1;
  CHECK(error_of(s) == "network.layers[0].biases: expected 2 numbers (out = 2), got 0.1");
}

TEST_CASE("data whose width does not fit the network", "[experiment]") {
  Json s = base_spec();
  s["data"]["inputs"][1] = Json::parse("[0, 1, 1]");
  CHECK(error_of(s) == "data.inputs[1]: expected 2 numbers (network.inputs = 2), got 3 numbers");
  s = base_spec();
  s["data"]["targets"][0] = Json::parse("[0, 1]");
  CHECK(error_of(s) ==
        "data.targets[0]: expected 1 number (the network's outputs: network.layers[1].units = 1), got 2 numbers");
  s = base_spec();
  s["data"]["targets"] = Json::parse("[0, 1, 1]");
  CHECK(error_of(s) == "data.targets: 3 rows, but data.inputs has 4: one target row per sample");
  s = base_spec();
  s["data"]["inputs"] = Json::array();
  CHECK(error_of(s) == "data.inputs: expected rows of 2 numbers (network.inputs = 2), got an empty array");
  s = base_spec();
  s["data"] = Json::object();
  CHECK(error_of(s) ==
        "data: expected the samples: inline \"inputs\" and \"targets\", a \"csv\" file, a \"generator\", \"idx\" "
        "files or a \"dataset\"");
  s["data"] = Json{{"inputs", Json::parse("[[0, 0]]")}};
  CHECK(error_of(s) ==
        "data.targets: missing; expected rows of 1 number (the network's outputs: network.layers[1].units = 1)");
}

TEST_CASE("unknown keys are errors, with the closest known key", "[experiment]") {
  Json s = base_spec();
  s["training"] = Json{{"epoch", 10}};
  CHECK(error_of(s) == "training.epoch: unknown key (did you mean \"epochs\"?); known keys: epochs, batch_size, "
                       "shuffle, classification, threshold, clip_grad_norm, clip_grad_value, validation, "
                       "early_stopping, epoch_metrics");
  s = base_spec();
  s["netwrok"] = s["network"];
  CHECK(error_of(s) == "netwrok: unknown key (did you mean \"network\"?); known keys: name, description, seed, "
                       "network, loss, optimizer, schedule, data, training, frozen, trace, gradcheck, save, test");
  s = base_spec();
  s["network"]["layers"][0]["unit"] = 2;
  CHECK(error_of(s) == "network.layers[0].unit: unknown key (did you mean \"units\"?); known keys: units, activation, "
                       "init, weights, biases, l1, l2, type");
  s = base_spec();
  s["optimizer"]["learnig_rate"] = 0.1;
  CHECK(error_of(s) == "optimizer.learnig_rate: unknown key (did you mean \"learning_rate\"?); known keys: name, "
                       "learning_rate, momentum, dampening, nesterov, weight_decay");
}

TEST_CASE("values of the wrong type", "[experiment]") {
  Json s = base_spec();
  s["network"]["inputs"] = "2";
  CHECK(error_of(s) == "network.inputs: expected a whole number from 1 to 1000000, got the string \"2\"");
  s = base_spec();
  s["training"]["shuffle"] = "yes";
  CHECK(error_of(s) == "training.shuffle: expected true or false, got the string \"yes\"");
  s = base_spec();
  s["network"]["layers"] = Json{{"units", 2}};
  CHECK(error_of(s) == "network.layers: expected a non-empty array, got an object");
  CHECK(error_of(Json::array()) == "(top level): expected an object, got an empty array");
  s = base_spec();
  s["network"]["layers"][0]["units"] = 2000000;
  CHECK(error_of(s) == "network.layers[0].units: expected a whole number from 1 to 1000000, got 2000000");
  s["network"]["inputs"] = 1000;
  s["network"]["layers"][0]["units"] = 200000;
  CHECK(error_of(s) ==
        "network.layers[0].units: Dense(1000→200000) would have 200000000 weights; a layer may have at most 100000000");
  s = base_spec();
  s["optimizer"] = "sgd";
  CHECK(error_of(s) == "optimizer: expected an object: {\"name\": …, \"learning_rate\": …}, got the string \"sgd\"");
}

TEST_CASE("missing required fields", "[experiment]") {
  Json s = base_spec();
  s.erase("loss");
  CHECK(error_of(s) == fmt::format("loss: missing; expected a loss: its name ({}) or {{\"name\": …, \"reduction\": …}}",
                                   fmt::join(loss_names(), ", ")));
  s = base_spec();
  s["network"].erase("inputs");
  CHECK(error_of(s) == "network.inputs: missing; expected a whole number ≥ 1 (the width of one sample)");
  s = base_spec();
  s["network"]["layers"][0].erase("units");
  CHECK(error_of(s) == "network.layers[0].units: missing; expected a whole number ≥ 1");
  s = base_spec();
  s["optimizer"].erase("learning_rate");
  CHECK(error_of(s) == "optimizer.learning_rate: missing; expected a number > 0 (η)");
  s = base_spec();
  s.erase("data");
  CHECK(error_of(s) ==
        "data: missing; expected an object: inline \"inputs\" and \"targets\", a \"csv\" file or a \"generator\"");
}

TEST_CASE("losses: unknown names, bad reductions, a reduction where there is none", "[experiment]") {
  Json s = base_spec();
  s["loss"] = Json{{"name", "bce"}, {"reduction", "avg"}};
  CHECK(error_of(s) == "loss.reduction: unknown \"avg\"; known: mean, sum");
  s["loss"] = "cross_entropy";
  CHECK(error_of(s) == fmt::format("loss: unknown \"cross_entropy\"; known: {}", fmt::join(loss_names(), ", ")));
  s["loss"] = Json{{"name", "half_sse"}, {"reduction", "mean"}};
  CHECK(error_of(s) == "loss.reduction: half_sse has no reduction (it is E = Σ ½(t − o)²); leave \"reduction\" out");
  s["loss"] = "half_sse";
  CHECK(parse_experiment(s, "spec.json").loss.reduction == std::nullopt);
  s["loss"] = "mse";
  CHECK(parse_experiment(s, "spec.json").loss.reduction == Reduction::mean);
  s["loss"] = Json{{"name", "mse"}, {"reduction", "sum"}};
  CHECK(make_loss(parse_experiment(s, "spec.json"))->describe() == "mse(sum)");
}

TEST_CASE("softmax before softmax_cross_entropy would apply softmax twice", "[experiment]") {
  Json s = base_spec();
  s["network"]["layers"][1] = Json{{"units", 2}, {"activation", "softmax"}};
  s["loss"] = "softmax_cross_entropy";
  s["data"]["targets"] = Json::parse("[[1, 0], [0, 1], [0, 1], [1, 0]]");
  CHECK(error_of(s) == "network.layers[1].activation: softmax before the loss softmax_cross_entropy, which applies "
                       "softmax itself (it takes logits): use \"identity\" here");
  s["network"]["layers"][1]["activation"] = "identity";
  CHECK(error_of(s) == "(no error)");
}

TEST_CASE("optimizers: unknown names and bad settings", "[experiment]") {
  Json s = base_spec();
  s["optimizer"]["name"] = "sgdd";
  CHECK(error_of(s) == "optimizer.name: unknown \"sgdd\" (did you mean \"sgd\"?); known: sgd, adagrad, adadelta, "
                       "rmsprop, adam, adamw, adamax, nadam");
  s = base_spec();
  s["optimizer"]["learning_rate"] = 0;
  CHECK(error_of(s) == "optimizer.learning_rate: expected a number > 0, got 0");
  s["optimizer"]["learning_rate"] = -0.1;
  CHECK(error_of(s) == "optimizer.learning_rate: expected a number > 0, got -0.1");
  s["optimizer"]["learning_rate"] = "fast";
  CHECK(error_of(s) == "optimizer.learning_rate: expected a number > 0, got the string \"fast\"");
  s = base_spec();
  s["optimizer"].erase("name");
  CHECK(error_of(s) == "optimizer.name: missing; expected the name of an optimizer (sgd, adagrad, adadelta, rmsprop, "
                       "adam, adamw, adamax, nadam)");
}

TEST_CASE("optimizers: every setting of torch.optim's, checked at its JSON path", "[experiment]") {
  const auto with_optimizer = [](const Json& optimizer) {
    Json s = base_spec();
    s["optimizer"] = optimizer;
    return s;
  };
  // Accepted: each family with its settings; the defaults fill in what is not given.
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "adam", "learning_rate": 1e-3, "betas": [0.9, 0.999],
                                                 "amsgrad": true})"))) == "(no error)");
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "sgd", "learning_rate": 0.1, "momentum": 0.9,
                                                 "nesterov": true, "weight_decay": 1e-4})"))) == "(no error)");
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "rmsprop", "centered": true, "momentum": 0.5})"))) ==
        "(no error)");
  CHECK(error_of(with_optimizer(Json{{"name", "adagrad"}})) == "(no error)");
  // β outside [0, 1): the element named by its index.
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "adam", "betas": [0.9, 1]})"))) ==
        "optimizer.betas[1]: expected a number in [0, 1), got 1");
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "nadam", "betas": [-0.5, 0.999]})"))) ==
        "optimizer.betas[0]: expected a number in [0, 1), got -0.5");
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "adamw", "betas": [0.9]})"))) ==
        "optimizer.betas: expected an array of two numbers, each in [0, 1), got an array of 1");
  // A negative rate or ε, a flag that is not a boolean, Nesterov without momentum.
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "adam", "learning_rate": -1e-3})"))) ==
        "optimizer.learning_rate: expected a number > 0, got -0.001");
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "adagrad", "eps": -1e-10})"))) ==
        "optimizer.eps: expected a number ≥ 0, got -1e-10");
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "rmsprop", "centered": "yes"})"))) ==
        "optimizer.centered: expected true or false, got the string \"yes\"");
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "adadelta", "rho": 2})"))) ==
        "optimizer.rho: expected a number in [0, 1], got 2");
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "sgd", "learning_rate": 0.1, "nesterov": true})"))) ==
        "optimizer.nesterov: expected false unless momentum > 0 and dampening is 0 (Nesterov momentum needs both), "
        "got true");
  // A setting of another optimizer: unknown to this one, listing its own.
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "adam", "momentum": 0.9})"))) ==
        "optimizer.momentum: unknown key; known keys: name, learning_rate, betas, eps, weight_decay, amsgrad");
  CHECK(error_of(with_optimizer(Json::parse(R"({"name": "adam", "amsgrd": true})"))) ==
        "optimizer.amsgrd: unknown key (did you mean \"amsgrad\"?); known keys: name, learning_rate, betas, eps, "
        "weight_decay, amsgrad");
}

TEST_CASE("training: epochs, batch size and threshold in range", "[experiment]") {
  Json s = base_spec();
  s["training"]["epochs"] = -3;
  CHECK(error_of(s) == "training.epochs: expected a whole number from 1 to 1000000, got -3");
  s["training"]["epochs"] = 0;
  CHECK(error_of(s) == "training.epochs: expected a whole number from 1 to 1000000, got 0");
  s["training"]["epochs"] = 2.5;
  CHECK(error_of(s) == "training.epochs: expected a whole number from 1 to 1000000, got 2.5");
  // At most a million epochs: 10⁸ is a typo (or hours of work and, traced, terabytes).
  s["training"]["epochs"] = 1e8;
  CHECK(error_of(s) == "training.epochs: expected a whole number from 1 to 1000000, got 100000000.0");
  s["training"]["epochs"] = 1'000'000;
  CHECK(error_of(s) == "(no error)");
  s = base_spec();
  s["training"]["batch_size"] = -1;
  CHECK(error_of(s) == "training.batch_size: expected a whole number ≥ 0, got -1");
  s = base_spec();
  s["training"]["threshold"] = 0.3;
  CHECK(error_of(s) == "training.threshold: only used with \"classification\": true");
  s["training"]["classification"] = true;
  CHECK(parse_experiment(s, "spec.json").training.threshold == 0.3);
}

// The memory limit comes from GLASSBOX_MAX_MEMORY while `limit` lives (unset again afterwards).
struct MemoryLimit {
  explicit MemoryLimit(const char* limit) { ::setenv("GLASSBOX_MAX_MEMORY", limit, 1); }
  ~MemoryLimit() { ::unsetenv("GLASSBOX_MAX_MEMORY"); }
};

TEST_CASE("a network or data too large for memory is refused before anything is allocated", "[experiment]") {
  const MemoryLimit limit("8Gi");
  CHECK(memory_limit() == 8ull << 30);
  // Two layers of 100 000 units: 10¹⁰ weights in the second, 80 GB before its gradients.
  Json s = base_spec();
  s["network"]["layers"] = Json::parse(R"([{"units": 100000, "activation": "tanh"},
                                           {"units": 100000, "activation": "tanh"},
                                           {"units": 1, "activation": "sigmoid"}])");
  CHECK(error_of(s) == "network.layers[1].units: the network needs about 240 GB for its weights, gradients and "
                       "activations; the limit is 8.59 GB (docs/experiment-format.md, \"Memory\")");
  // A full batch of 100 000 samples needs its activations: Z, A and their gradients for every layer.
  s = base_spec();
  s["network"]["layers"][0]["units"] = 20000;
  s["data"] = Json{{"generator", "make_circles"}, {"samples", 100000}};
  CHECK(error_of(s) == "data: the data (100000 samples of 2 inputs) needs about 4 MB and the network about 64 GB "
                       "for a batch of 100000: 64 GB in all; the limit is 8.59 GB (docs/experiment-format.md, "
                       "\"Memory\")");
  s["training"]["batch_size"] = 100;  // a batch that fits
  CHECK(error_of(s) == "(no error)");
  // The data and the network together.
  const MemoryLimit tiny("500");
  CHECK(error_of(base_spec()) == "data: the data (4 samples of 2 inputs) needs about 160 bytes and the network about "
                                 "664 bytes for a batch of 4: 824 bytes in all; the limit is 500 bytes "
                                 "(docs/experiment-format.md, \"Memory\")");
}

TEST_CASE("frozen names must be parameters of the network", "[experiment]") {
  Json s = base_spec();
  s["frozen"] = Json::array({"layers[1].b"});
  CHECK(error_of(s) == "frozen[0]: no parameter \"layers[1].b\"; the network's parameters are layers[0].W, "
                       "layers[0].b, layers[2].W, layers[2].b (spec layer k is layers[2k], its activation "
                       "layers[2k+1])");
  s["frozen"] = Json::array({"layers[2].b", "layers[2].b"});
  CHECK(error_of(s) == "frozen[1]: listed twice");
  s["frozen"] = Json::array({"layers[0].W", 3});
  CHECK(error_of(s) == "frozen[1]: expected a non-empty string, got 3");
  s["frozen"] = Json::array({"layers[2].b"});
  const Experiment e = parse_experiment(s, "spec.json");
  Rng rng(1);
  Network net = build_network(e, rng);
  CHECK(net.parameter("layers[2].b").frozen);
  CHECK_FALSE(net.parameter("layers[2].W").frozen);
}

TEST_CASE("initializers: unknown names, and init where nothing is drawn", "[experiment]") {
  Json s = base_spec();
  s["network"]["layers"][0]["init"] = "glorot";
  CHECK(error_of(s) ==
        fmt::format("network.layers[0].init: unknown \"glorot\"; known: {}", fmt::join(initializer_names(), ", ")));
  s["network"]["layers"][0] = Json::parse(
      R"({"units": 2, "activation": "tanh", "init": "he_normal", "weights": [[1, 2], [3, 4]], "biases": [0, 0]})");
  CHECK(error_of(s) ==
        "network.layers[0].init: not used: weights and biases are both given (leave \"init\" out, or one of them)");
}

TEST_CASE("initializers by name with settings, drawn as initializers.hpp draws them", "[experiment]") {
  Json s = base_spec();
  s["network"]["layers"][0]["init"] = "he_normal";
  s["network"]["layers"][1]["init"] = Json{{"name", "normal"}, {"stddev", 0.1}};
  const Experiment e = parse_experiment(s, "spec.json");
  CHECK(e.layers[0].init == "he_normal");
  CHECK(e.layers[1].init_options == Json{{"stddev", 0.1}});
  Rng a(3), b(3);
  Network net = build_network(e, a);
  Matrix W0(2, 2), b0(1, 2), W2(1, 2), b2(1, 1);
  make_initializer("he_normal")(W0, b0, b);
  make_initializer("normal", Json{{"stddev", 0.1}})(W2, b2, b);
  CHECK(net.parameter("layers[0].W").value == W0);
  CHECK(net.parameter("layers[2].W").value == W2);
  CHECK(net.parameter("layers[2].b").value == Matrix{{0}});  // every scheme but uniform_fan_in: b = 0

  // Written back as given, and read again the same.
  const Json written = to_json(e);
  CHECK(written["network"]["layers"][1]["init"] == Json{{"name", "normal"}, {"stddev", 0.1}});
  CHECK(to_json(parse_experiment(written, "spec.json")) == written);

  // A setting the initializer does not have, a bad value, a missing name.
  s["network"]["layers"][1]["init"] = Json{{"name", "normal"}, {"stdev", 0.1}};
  CHECK_THAT(error_of(s), Catch::StartsWith("network.layers[1].init: ") && Catch::Contains("\"stdev\"") &&
                              Catch::Contains("stddev"));
  s["network"]["layers"][1]["init"] = Json{{"name", "he_normal"}, {"mode", "fan_sideways"}};
  CHECK_THAT(error_of(s), Catch::StartsWith("network.layers[1].init: ") && Catch::Contains("fan_sideways"));
  s["network"]["layers"][1]["init"] = Json{{"stddev", 0.1}};
  CHECK_THAT(error_of(s), Catch::StartsWith("network.layers[1].init.name: missing"));
}

TEST_CASE("loss settings: huber's delta, checked, written back, and a misspelt reduction", "[experiment]") {
  Json s = base_spec();
  s["network"]["layers"][1]["activation"] = "identity";
  s["loss"] = Json{{"name", "huber"}, {"delta", 0.5}, {"reduction", "sum"}};
  const Experiment e = parse_experiment(s, "spec.json");
  CHECK(make_loss(e)->describe() == "huber(δ=0.5, sum)");
  CHECK(to_json(e)["loss"] == Json{{"name", "huber"}, {"reduction", "sum"}, {"delta", 0.5}});
  s["loss"] = Json{{"name", "huber"}, {"delta", -1}};
  CHECK_THAT(error_of(s), Catch::StartsWith("loss: ") && Catch::Contains("delta"));
  s["loss"] = Json{{"name", "mse"}, {"reductoin", "sum"}};
  CHECK(error_of(s) == "loss.reductoin: unknown key (did you mean \"reduction\"?)");
  s["loss"] = Json{{"name", "mse"}, {"alpha", 1}};
  CHECK_THAT(error_of(s), Catch::StartsWith("loss: ") && Catch::Contains("alpha"));
}

TEST_CASE("targets are checked against what the loss takes", "[experiment]") {
  Json s = base_spec();  // bce: probabilities
  s["data"]["targets"] = Json::parse("[0, 1, 2, 0]");
  CHECK(error_of(s) == "data.targets[2]: bce takes targets from 0 to 1, got 2");
  s["loss"] = "mse";
  CHECK(error_of(s) == "(no error)");  // a regression target may be anything

  s = base_spec();
  s["network"]["layers"][1]["activation"] = "identity";
  s["loss"] = "hinge";
  CHECK(error_of(s) == "data.targets[0]: hinge takes the labels −1 and +1, got 0");
  s["data"]["targets"] = Json::parse("[-1, 1, 1, -1]");
  s["training"]["classification"] = true;
  const Experiment hinge = parse_experiment(s, "spec.json");
  CHECK(hinge.training.threshold == 0.0);  // a score says yes at 0

  s = base_spec();
  s["network"]["layers"][1] = Json{{"units", 3}, {"activation", "identity"}};
  s["loss"] = "sparse_softmax_cross_entropy";
  s["data"]["targets"] = Json::parse("[0, 2, 1, 3]");
  CHECK(error_of(s) == "data.targets[3]: sparse_softmax_cross_entropy takes a class index from 0 to 2 "
                       "(network.layers[1].units = 3), got 3");
  s["data"]["targets"] = Json::parse("[0, 2, 1, 0.5]");
  CHECK_THAT(error_of(s), Catch::StartsWith("data.targets[3]: sparse_softmax_cross_entropy takes a class index"));
  s["data"]["targets"] = Json::parse("[[0, 1, 0], [1, 0, 0], [0, 0, 1], [1, 0, 0]]");
  CHECK(error_of(s) == "data.targets[0]: expected 1 number (one class index per sample for "
                       "sparse_softmax_cross_entropy), got 3 numbers");
  s["data"]["targets"] = Json::parse("[0, 2, 1, 0]");
  const Experiment sparse = parse_experiment(s, "spec.json");
  CHECK(sparse.data.targets == Matrix{{0}, {2}, {1}, {0}});

  // One-hot rows for softmax_cross_entropy and class indices for the sparse form: the same loss.
  s["loss"] = "softmax_cross_entropy";
  s["data"]["targets"] = Json::parse("[[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]]");
  const Experiment dense = parse_experiment(s, "spec.json");
  Rng a(3), b(3);
  Network n1 = build_network(sparse, a), n2 = build_network(dense, b);
  CHECK(make_loss(sparse)->value(n1.forward(sparse.data.X), sparse.data.targets) ==
        Approx(make_loss(dense)->value(n2.forward(dense.data.X), dense.data.targets)).epsilon(1e-15));
}

TEST_CASE("a loss on logits after its own squashing function is refused", "[experiment]") {
  Json s = base_spec();
  s["loss"] = "bce_with_logits";
  CHECK(error_of(s) == "network.layers[1].activation: sigmoid before the loss bce_with_logits, which applies the "
                       "sigmoid itself (it takes logits): use \"identity\" here, or the loss bce on the sigmoid's "
                       "probabilities");
  s["network"]["layers"][1]["activation"] = "identity";
  s["training"]["classification"] = true;
  CHECK(parse_experiment(s, "spec.json").training.threshold == 0.0);
  s["network"]["layers"][1] = Json{{"units", 3}, {"activation", "softmax"}};
  s["loss"] = "sparse_softmax_cross_entropy";
  CHECK_THAT(error_of(s), Catch::StartsWith("network.layers[1].activation: softmax before the loss "
                                            "sparse_softmax_cross_entropy"));
  s["network"]["layers"][1] = Json{{"units", 1}, {"activation", "identity"}};
  CHECK(error_of(s) ==
        "network.layers[1].units: sparse_softmax_cross_entropy needs a logit per class: at least 2 outputs");
}

TEST_CASE("class labels as the loss takes them: indices, plus or minus 1, multilabel accuracy", "[experiment]") {
  const fs::path dir = fresh_dir("csv_label_kinds");
  write_file(dir / "d.csv", "x1,x2,kind\n0,0,a\n1,1,c\n0,1,b\n");
  const std::string source = (dir / "spec.json").string();
  Json s = base_spec();
  s["data"] = Json{{"csv", "d.csv"}, {"label_column", "kind"}};
  s["network"]["layers"][1] = Json{{"units", 3}, {"activation", "identity"}};
  s["loss"] = "sparse_softmax_cross_entropy";
  CHECK(parse_experiment(s, source).data.targets == Matrix{{0}, {2}, {1}});
  s["loss"] = "hinge";  // one score per class, one-vs-rest
  CHECK(parse_experiment(s, source).data.targets == Matrix{{1, -1, -1}, {-1, -1, 1}, {-1, 1, -1}});
  s["network"]["layers"][1]["units"] = 1;
  s["data"]["classes"] = {"a", "b", "c"};
  CHECK_THAT(error_of(s, source), Catch::StartsWith("data.label_column: \"kind\" has 3 classes"));

  // make_moons for the hinge: labels −1 and +1.
  s = base_spec();
  s["network"]["layers"][1]["activation"] = "identity";
  s["loss"] = "hinge";
  s["data"] = Json{{"generator", "make_moons"}, {"samples", 20}};
  const Experiment moons = parse_experiment(s, "spec.json");
  for (std::size_t n = 0; n < moons.data.targets.rows(); ++n)
    CHECK((moons.data.targets(n, 0) == -1 || moons.data.targets(n, 0) == 1));

  // multilabel_bce: several yes/no outputs, accuracy counts a sample when all its labels are right.
  s = base_spec();
  s["network"]["layers"][1] = Json{{"units", 2}, {"activation", "identity"}};
  s["loss"] = "multilabel_bce";
  s["data"]["targets"] = Json::parse("[[0, 0], [1, 1], [1, 0], [0, 1]]");
  s["training"]["classification"] = true;
  const Experiment multilabel = parse_experiment(s, "spec.json");
  CHECK(multilabel.training.multilabel);
  CHECK(multilabel.training.threshold == 0.0);
  Tracer off;
  CHECK(run_experiment(multilabel, off).history.back().accuracy.has_value());
}

TEST_CASE("trace and gradcheck settings", "[experiment]") {
  Json s = base_spec();
  s["trace"] = Json{{"level", "everything"}};
  CHECK(error_of(s) == "trace.level: unknown \"everything\"; known: off, summary, step, full");
  s["trace"] = Json{{"path", ""}};
  CHECK(error_of(s) == "trace.path: expected a non-empty string, got the string \"\"");
  // trace.max_bytes: bytes, or a size with a suffix (core/bytes.hpp).
  CHECK(parse_experiment(base_spec(), "spec.json").trace.max_bytes == kDefaultTraceMaxBytes);
  s["trace"] = Json{{"max_bytes", 5000}};
  CHECK(parse_experiment(s, "spec.json").trace.max_bytes == 5000);
  s["trace"] = Json{{"max_bytes", "500M"}};
  CHECK(parse_experiment(s, "spec.json").trace.max_bytes == 500'000'000);
  s["trace"] = Json{{"max_bytes", "2Gi"}};
  CHECK(parse_experiment(s, "spec.json").trace.max_bytes == 2ull << 30);
  s["trace"] = Json{{"max_bytes", "lots"}};
  CHECK(error_of(s) == "trace.max_bytes: expected a size in bytes ≥ 1: a whole number, or text like \"500M\" or "
                       "\"2G\" (K, M, G, T: powers of 1000; Ki, Mi, Gi, Ti: of 1024), got the string \"lots\"");
  s["trace"] = Json{{"max_bytes", 0}};
  CHECK(error_of(s) == "trace.max_bytes: expected a whole number ≥ 1, got 0");
  s = base_spec();
  s["gradcheck"] = Json{{"h", 0}};
  CHECK(error_of(s) == "gradcheck.h: expected a number > 0, got 0");
  s["gradcheck"] = Json{{"samples", 5}};
  CHECK(error_of(s) == "gradcheck.samples: 5 is more than the 4 samples in the data");
  s = base_spec();
  s["name"] = "my experiment";
  CHECK(error_of(s) == "name: expected a name of letters, digits, '_', '-' and '.' (it names the default trace "
                       "file), got the string \"my experiment\"");
}

TEST_CASE("names default from the spec file, the trace path from the name", "[experiment]") {
  Json s = base_spec();
  s.erase("name");
  const Experiment e = parse_experiment(s, "some/folder/circles.json");
  CHECK(e.name == "circles");
  CHECK(e.trace_path() == fs::path("traces/circles.json"));
  CHECK(e.trace.level == TraceLevel::summary);
  s["trace"] = Json{{"path", "out/t.json"}, {"level", "full"}};
  const Experiment f = parse_experiment(s, "x.json");
  CHECK(f.trace_path() == fs::path("out/t.json"));
  CHECK(f.trace.level == TraceLevel::full);
}

// ---- CSV data -----------------------------------------------------------------------------------

TEST_CASE("a CSV path is relative to the spec's folder, and a missing file says so", "[experiment]") {
  const fs::path dir = fresh_dir("csv_relative");
  write_file(dir / "points.csv", "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
  Json s = base_spec();
  s["data"] = Json{{"csv", "points.csv"}, {"target_columns", {"y"}}};
  const Experiment e = parse_experiment(s, (dir / "spec.json").string());
  CHECK(e.data.csv_path == dir / "points.csv");
  CHECK(e.data.X == Matrix{{0, 0}, {0, 1}, {1, 0}, {1, 1}});
  CHECK(e.data.targets == Matrix{{0}, {1}, {1}, {0}});

  // The same spec from another folder does not find the file, and the message says where it looked.
  CHECK(error_of(s, "elsewhere/spec.json") ==
        "data.csv: elsewhere/points.csv: cannot open the file: No such file or directory (a relative path is taken "
        "from the spec's folder, elsewhere)");
  CHECK(error_of(s, "spec.json") == "data.csv: points.csv: cannot open the file: No such file or directory (a "
                                    "relative path is taken from the spec's folder, .)");
}

TEST_CASE("CSV columns: named, defaulted, misspelt, of the wrong count", "[experiment]") {
  const fs::path dir = fresh_dir("csv_columns");
  write_file(dir / "d.csv", "x1,x2,x3,y\n1,2,3,0\n4,5,6,1\n");
  const std::string source = (dir / "spec.json").string();
  const std::string csv = (dir / "d.csv").string();
  Json s = base_spec();
  s["data"] = Json{{"csv", "d.csv"}, {"input_columns", {"x3", "x1"}}, {"target_columns", {"y"}}};
  CHECK(parse_experiment(s, source).data.X == Matrix{{3, 1}, {6, 4}});

  s["data"] = Json{{"csv", "d.csv"}, {"target_columns", {"y"}}};
  CHECK(error_of(s, source) == fmt::format("data: {} has 3 columns besides the targets (x1, x2, x3), but "
                                           "network.inputs = 2; name the input columns with input_columns",
                                           csv));
  s["data"] = Json{{"csv", "d.csv"}, {"input_columns", {"x1", "x22"}}, {"target_columns", {"y"}}};
  CHECK(error_of(s, source) == fmt::format("data.input_columns[1]: no column \"x22\" in {} (did you mean \"x2\"?); "
                                           "its columns: x1, x2, x3, y",
                                           csv));
  s["data"] = Json{{"csv", "d.csv"}, {"input_columns", {"x1", "y"}}, {"target_columns", {"y"}}};
  CHECK(error_of(s, source) == "data.input_columns[1]: is a target column too");
  s["data"] = Json{{"csv", "d.csv"}, {"input_columns", {"x1", "x2"}}, {"target_columns", {"x3", "y"}}};
  CHECK(error_of(s, source) ==
        "data.target_columns: 2 columns, but the network has 1 output (network.layers[1].units = 1)");
  s["data"] = Json{{"csv", "d.csv"}, {"input_columns", {"x1", "x2"}}};
  CHECK(error_of(s, source) ==
        "data.target_columns: missing; expected the names of the target columns (or a label_column of class names)");
  s["data"] = Json{{"csv", "d.csv"}, {"inputs", {{1, 2}}}, {"target_columns", {"y"}}};
  CHECK(error_of(s, source) == "data.inputs: not with data.csv: the samples come from one source");
  s = base_spec();
  s["data"]["target_columns"] = {"y"};
  CHECK(error_of(s, source) == "data.target_columns: only used with data.csv");
}

// Naming 40,000 columns once took about a minute (each name looked up and checked against the ones before it,
// 40,000² comparisons); with a hash map it takes a fraction of a second. The test does not time it:
// a regression makes this test, and the suite, visibly slow.
TEST_CASE("CSV columns: 40 000 input columns named in the spec are looked up in linear time", "[experiment]") {
  const fs::path dir = fresh_dir("csv_wide");
  constexpr std::size_t in = 40'000;
  std::string header, row;
  Json names = Json::array();
  for (std::size_t c = 0; c < in; ++c) {
    header += fmt::format("column_{},", c);
    row += fmt::format("{},", c % 7);
    names.push_back(fmt::format("column_{}", in - 1 - c));  // listed backwards
  }
  write_file(dir / "wide.csv", header + "y\n" + row + "0\n" + row + "1\n");
  const std::string source = (dir / "spec.json").string();
  Json s = base_spec();
  s["network"]["inputs"] = in;
  s["data"] = Json{{"csv", "wide.csv"}, {"input_columns", names}, {"target_columns", {"y"}}};
  const Experiment e = parse_experiment(s, source);
  REQUIRE(e.data.X.rows() == 2);
  REQUIRE(e.data.X.cols() == in);
  CHECK(e.data.X(0, 0) == static_cast<Scalar>((in - 1) % 7));
  CHECK(e.data.X(1, in - 1) == 0);
  s["data"]["input_columns"].push_back("column_5");
  s["network"]["inputs"] = in + 1;
  CHECK(error_of(s, source) == fmt::format("data.input_columns[{}]: the column is listed twice", in));
}

TEST_CASE("CSV values that are not numbers are reported file:line:column", "[experiment]") {
  const fs::path dir = fresh_dir("csv_values");
  write_file(dir / "d.csv", "x1,x2,y\n1,2,0\n3,abc,1\n");
  Json s = base_spec();
  s["data"] = Json{{"csv", "d.csv"}, {"target_columns", {"y"}}};
  CHECK(error_of(s, (dir / "spec.json").string()) ==
        fmt::format("data.csv: {}:3:3: column \"x2\": expected a number, found \"abc\"", (dir / "d.csv").string()));
  // Numbers as the CSV reader defines them (data/csv.hpp): a leading + and an underflow are read.
  write_file(dir / "d.csv", "x1,x2,y\n+1,1e-400,0\n3,-2.5E+1,1\n");
  CHECK(parse_experiment(s, (dir / "spec.json").string()).data.X == Matrix{{1, 0}, {3, -25}});
  write_file(dir / "d.csv", "x1,x2,y\n1,2,0\n3,1e400,1\n");
  CHECK(error_of(s, (dir / "spec.json").string()) ==
        fmt::format("data.csv: {}:3:3: column \"x2\": \"1e400\" is out of range (a double holds at most ±1.8e308)",
                    (dir / "d.csv").string()));
  write_file(dir / "d.csv", "x1,x2,y\n");
  CHECK(error_of(s, (dir / "spec.json").string()) ==
        fmt::format("data.csv: {}: no samples after the header", (dir / "d.csv").string()));
}

TEST_CASE("a CSV of 100000 columns gets a message that lists a few of them, not all", "[experiment]") {
  const fs::path dir = fresh_dir("csv_very_wide");
  std::string header, row;
  for (int c = 0; c < 100000; ++c) {
    header += fmt::format("{}column_{}", c ? "," : "", c);
    row += fmt::format("{}{}", c ? "," : "", c % 2);
  }
  write_file(dir / "d.csv", header + "\n" + row + "\n" + row + "\n");
  Json s = base_spec();
  s["data"] = Json{{"csv", "d.csv"}, {"input_columns", {"column_0", "no_such_column"}}, {"target_columns", {"column_9"}}};
  const std::string message = error_of(s, (dir / "spec.json").string());
  CHECK(message.size() < 2000);
  CHECK_THAT(message, Catch::StartsWith("data.input_columns[1]: no column \"no_such_column\"") &&
                          Catch::EndsWith("column_19, … and 99980 more"));
  s["data"] = Json{{"csv", "d.csv"}, {"target_columns", {"column_9"}}};
  const std::string too_many = error_of(s, (dir / "spec.json").string());
  CHECK(too_many.size() < 2000);
  CHECK_THAT(too_many, Catch::Contains("has 99999 columns besides the targets (column_0, column_1,"));
}

TEST_CASE("class labels become one-hot targets, or 0/1 for one output", "[experiment]") {
  const fs::path dir = fresh_dir("csv_labels");
  write_file(dir / "d.csv", "x1,x2,kind\n0,0,no\n1,1,yes\n0,1,yes\n");
  const std::string source = (dir / "spec.json").string();
  Json s = base_spec();
  s["data"] = Json{{"csv", "d.csv"}, {"label_column", "kind"}};
  const Experiment binary = parse_experiment(s, source);
  CHECK(binary.data.class_names == std::vector<std::string>{"no", "yes"});  // sorted
  CHECK(binary.data.targets == Matrix{{0}, {1}, {1}});

  s["data"]["classes"] = {"yes", "no"};  // the order given: "yes" is class 0
  CHECK(parse_experiment(s, source).data.targets == Matrix{{1}, {0}, {0}});
  s["data"]["classes"] = {"yes", "maybe"};
  CHECK(error_of(s, source) == fmt::format("data.csv: {}:2:5: column \"kind\": unknown class \"no\"; data.classes "
                                           "lists yes, maybe",
                                           (dir / "d.csv").string()));

  s["network"]["layers"][1] = Json{{"units", 3}, {"activation", "identity"}};
  s["loss"] = "softmax_cross_entropy";
  s["data"].erase("classes");
  CHECK(error_of(s, source) == "data.label_column: \"kind\" has 2 classes (no, yes), but the network has 3 outputs "
                               "(network.layers[1].units = 3); one output per class, or one output for two classes");
}

TEST_CASE("iris from the CSV file: one-hot species, standardised inputs", "[experiment]") {
  const Experiment e = load_experiment(example("iris"));
  REQUIRE(e.data.X.rows() == 150);
  CHECK(e.data.X.cols() == 4);
  CHECK(e.data.class_names == std::vector<std::string>{"setosa", "versicolor", "virginica"});
  CHECK(e.data.targets.row(0) == Matrix{{1, 0, 0}});
  CHECK(e.data.targets.row(149) == Matrix{{0, 0, 1}});
  CHECK(e.data.inputs(0, 0) == Approx(5.1));
  // Standardised: every column has mean 0 and (population) standard deviation 1.
  for (std::size_t c = 0; c < 4; ++c) {
    double sum = 0, squares = 0;
    for (std::size_t n = 0; n < 150; ++n) sum += e.data.X(n, c);
    for (std::size_t n = 0; n < 150; ++n) squares += (e.data.X(n, c) - sum / 150) * (e.data.X(n, c) - sum / 150);
    CHECK(sum / 150 == Approx(0).margin(1e-12));
    CHECK(std::sqrt(squares / 150) == Approx(1));
  }
}

// ---- generated data -----------------------------------------------------------------------------

TEST_CASE("generated data: make_circles from the run's generator, then the initial weights", "[experiment]") {
  Json s = base_spec();
  s["data"] = Json{{"generator", "make_circles"}, {"samples", 40}, {"noise", 0.05}, {"factor", 0.3}};
  const Experiment e = parse_experiment(s, "spec.json");
  // The same points as make_circles from a generator seeded with the spec's seed (3) …
  Rng rng(3);
  const synthetic::LabelledPoints expected = synthetic::make_circles(40, 0.05, 0.3, rng);
  CHECK(e.data.X == expected.X);
  CHECK(e.data.targets == expected.targets());
  // … and the initial weights are drawn from that generator after the points.
  Rng after = rng;
  Rng start = e.rng_at_start;
  Network a = build_network(e, start), b = build_network(e, after);
  CHECK(a.parameter("layers[0].W").value == b.parameter("layers[0].W").value);
  CHECK(to_json(e)["data"] == Json{{"generator", "make_circles"}, {"samples", 40}, {"noise", 0.05}, {"factor", 0.3},
                                   {"standardize", false}});

  // Defaults as scikit-learn's; two outputs get one-hot targets.
  s["data"] = Json{{"generator", "make_moons"}};
  s["network"]["layers"][1] = Json{{"units", 2}, {"activation", "identity"}};
  s["loss"] = "softmax_cross_entropy";
  const Experiment moons = parse_experiment(s, "spec.json");
  CHECK(moons.data.generator_settings == Json{{"samples", 100}, {"noise", 0.0}});
  CHECK(moons.data.targets.cols() == 2);
  CHECK(moons.data.targets.rows() == 100);
}

TEST_CASE("generated data: names, settings and shapes are checked", "[experiment]") {
  Json s = base_spec();
  s["data"] = Json{{"generator", "make_circle"}};
  CHECK(error_of(s) == "data.generator: unknown \"make_circle\" (did you mean \"make_circles\"?); known: make_circles, "
                       "make_moons");
  s["data"] = Json{{"generator", "make_moons"}, {"factor", 0.5}};
  CHECK(error_of(s) == "data.factor: not a setting of make_moons (its settings: samples, noise)");
  s["data"] = Json{{"generator", "make_circles"}, {"factor", 1.0}};
  CHECK(error_of(s) == "data.factor: expected a number from 0 up to (not including) 1, got 1.0");
  s["data"] = Json{{"generator", "make_circles"}, {"noise", -0.1}};
  CHECK(error_of(s) == "data.noise: expected a number ≥ 0 (a standard deviation), got -0.1");
  s["data"] = Json{{"generator", "make_circles"}, {"samples", 1}};
  CHECK(error_of(s) == "data.samples: expected a whole number from 2 to 10000000, got 1");
  s["data"] = Json{{"generator", "make_circles"}, {"inputs", {{1, 2}}}};
  CHECK(error_of(s) == "data.inputs: not with data.generator: the samples come from one source");
  s["data"] = Json{{"csv", "x.csv"}, {"samples", 10}};
  CHECK(error_of(s) == "data.samples: only used with data.generator");
  s["data"] = Json{{"generator", "make_circles"}, {"label_column", "y"}};
  CHECK(error_of(s) == "data.label_column: only used with data.csv");
  s["data"] = Json{{"generator", "make_circles"}};
  s["network"]["inputs"] = 3;
  CHECK(error_of(s) == "data.generator: make_circles gives points in the plane, 2 inputs, but network.inputs = 3");
  s = base_spec();
  s["data"] = Json{{"generator", "make_circles"}};
  s["network"]["layers"][1] = Json{{"units", 3}, {"activation", "identity"}};
  s["loss"] = "mse";
  CHECK(error_of(s) == "data.generator: make_circles gives 2 classes, but the network has 3 outputs "
                       "(network.layers[1].units = 3); one output for two classes, or one per class");
}

// ---- round trips --------------------------------------------------------------------------------

TEST_CASE("a spec with every field round-trips through to_json", "[experiment]") {
  const Json spec = Json::parse(R"({
    "name": "everything", "description": "every field set", "seed": 42,
    "network": {"inputs": 2, "layers": [
      {"units": 3, "activation": "relu", "weights": [[1, 2], [3, 4], [5, 6]]},
      {"units": 1, "activation": "sigmoid", "weights": [[0.5, -0.5, 0.25]], "biases": [0.1]}]},
    "loss": {"name": "bce", "reduction": "sum"},
    "optimizer": {"name": "sgd", "learning_rate": 0.25},
    "data": {"inputs": [[0, 1], [1, 0], [2, 2]], "targets": [[1], [0], [1]], "standardize": true},
    "training": {"epochs": 3, "batch_size": 2, "shuffle": false, "classification": true, "threshold": 0.4},
    "frozen": ["layers[2].b"],
    "trace": {"path": "out/everything.json", "level": "step"},
    "gradcheck": {"h": 1e-6, "max_elements": 4, "samples": 2, "check_input": true}
  })");
  const Experiment e = parse_experiment(spec, "dir/everything.json");
  const Json written = to_json(e);
  CHECK(written["network"]["layers"][0]["init"] == "uniform_fan_in");  // drawn biases: init is kept
  CHECK_FALSE(written["network"]["layers"][1].contains("init"));
  CHECK(written["data"]["inputs"] == spec["data"]["inputs"]);  // as given, not standardised
  const Experiment again = parse_experiment(written, e.source);
  CHECK(to_json(again) == written);
  CHECK(again.data.X == e.data.X);
  CHECK(again.gradcheck.check_input);
  CHECK(again.gradcheck_samples == 2);
  CHECK(again.training.threshold == 0.4);
}

TEST_CASE("defaults are written out, and the examples round-trip", "[experiment]") {
  const Json written = to_json(parse_experiment(base_spec(), "spec.json"));
  CHECK(written["loss"] == Json{{"name", "bce"}, {"reduction", "mean"}});
  CHECK(written["training"] ==
        Json{{"epochs", 5}, {"batch_size", 0}, {"shuffle", true}, {"classification", false}});
  CHECK(written["trace"] == Json{{"level", "summary"}, {"max_bytes", 1'000'000'000}});
  CHECK(written["gradcheck"] == Json{{"h", 1e-5}, {"max_elements", 0}, {"samples", 0}, {"check_input", false}});
  CHECK(written["frozen"] == Json::array());

  REQUIRE(example_names().size() >= 6);
  for (const std::string& name : example_names()) {
    INFO(name);
    const Experiment e = load_experiment(example(name));
    const Json j = to_json(e);
    const Experiment again = parse_experiment(j, e.source);
    CHECK(to_json(again) == j);
    CHECK(again.data.X == e.data.X);
    CHECK(again.data.targets == e.data.targets);
  }
}

TEST_CASE("the JSON examples in docs/experiment-format.md are valid specs", "[experiment]") {
  std::ifstream in(GLASSBOX_SOURCE_DIR "/docs/experiment-format.md");
  REQUIRE(in);
  std::string line, block;
  bool inside = false;
  int specs = 0;
  while (std::getline(in, line)) {
    if (!inside && line == "```json") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      INFO(block);
      const Json spec = parse_json_text(block, "docs/experiment-format.md");
      CHECK_NOTHROW(parse_experiment(spec, "docs/example.json"));
      ++specs;
    } else if (inside) {
      block += line + "\n";
    }
  }
  CHECK(specs >= 2);
}

// ---- building and running -----------------------------------------------------------------------

TEST_CASE("explicit weights are used as given, init draws W then b, layer by layer", "[experiment]") {
  const Experiment worked = load_experiment(example("worked_example"));
  Rng rng(worked.seed);
  Network net = build_network(worked, rng);
  CHECK(net.describe() == "Dense(2→2, sigmoid) → Dense(2→2, sigmoid)");
  CHECK(net.parameter("layers[0].W").value == Matrix{{0.15, 0.20}, {0.25, 0.30}});
  CHECK(net.parameter("layers[2].b").value == Matrix{{0.60, 0.60}});
  CHECK(net.parameter("layers[0].b").frozen);
  CHECK(net.parameter("layers[2].b").frozen);

  // Drawn: the same as init_uniform_fan_in from a generator seeded with the spec's seed.
  const Experiment tiny = parse_experiment(base_spec(), "spec.json");
  Rng a(3), b(3);
  const Network drawn = build_network(tiny, a);
  Matrix W0(2, 2), b0(1, 2), W2(1, 2), b2(1, 1);
  init_uniform_fan_in(W0, b0, b);
  init_uniform_fan_in(W2, b2, b);
  Network copy = drawn;
  CHECK(copy.parameter("layers[0].W").value == W0);
  CHECK(copy.parameter("layers[0].b").value == b0);
  CHECK(copy.parameter("layers[2].W").value == W2);

  // Weights given, biases not: the biases are those the initializer drew.
  Json s = base_spec();
  s["network"]["layers"][0]["weights"] = Json::parse("[[9, 9], [9, 9]]");
  Rng c(3);
  Network partly = build_network(parse_experiment(s, "spec.json"), c);
  CHECK(partly.parameter("layers[0].W").value == Matrix{{9, 9}, {9, 9}});
  CHECK(partly.parameter("layers[0].b").value == b0);
  CHECK(partly.parameter("layers[2].W").value == W2);

  // Another seed, other weights.
  s = base_spec();
  s["seed"] = 4;
  Rng d(4);
  Network other = build_network(parse_experiment(s, "spec.json"), d);
  CHECK_FALSE(other.parameter("layers[0].W").value == W0);
}

TEST_CASE("running the worked example reproduces the published numbers", "[experiment]") {
  const RunResult result = run_experiment(load_experiment(example("worked_example")));
  CHECK(result.initial_loss == Approx(0.298371109).margin(5e-10));
  REQUIRE(result.history.size() == 1);
  CHECK(result.history[0].steps == 1);
  Network net = result.network;
  CHECK(net.parameter("layers[2].W").value(0, 0) == Approx(0.35891648).margin(5e-9));     // w5
  CHECK(net.parameter("layers[0].W").value(0, 0) == Approx(0.149780716).margin(5e-10));  // w1
  CHECK(net.parameter("layers[0].b").value == Matrix{{0.35, 0.35}});                      // frozen
  const Json summary = result.to_json();
  CHECK(summary["epochs"] == 1);
  CHECK(summary["steps"] == 1);
}

TEST_CASE("a run is reproducible, and a diverging run says where", "[experiment]") {
  const Experiment xor_spec = load_experiment(example("xor"));
  const RunResult one = run_experiment(xor_spec), two = run_experiment(xor_spec);
  CHECK(one.history.back().loss == two.history.back().loss);
  CHECK(one.history.back().accuracy == 1.0);

  const Json diverging = Json::parse(R"({
    "network": {"inputs": 1, "layers": [{"units": 1, "activation": "identity", "weights": [[1]], "biases": [0]}]},
    "loss": "mse", "optimizer": {"name": "sgd", "learning_rate": 1e10},
    "data": {"inputs": [1e100, 2e100], "targets": [0, 1]}, "training": {"epochs": 3}
  })");
  CHECK_THROWS_WITH(run_experiment(parse_experiment(diverging, "d.json")),
                    Catch::StartsWith("epoch 1, evaluating the whole training set after step 1: forward: the output "
                                      "of layers[0]"));
}

TEST_CASE("gradcheck of a spec: kinks are reported, a too-large h fails", "[experiment]") {
  const fs::path dir = fresh_dir("gradcheck");
  const Experiment kink = load_experiment(example("relu_kink"));
  {
    Tracer tracer(dir / "kink.json", TraceLevel::summary, trace_header(kink, "test"));
    const GradCheckReport report = gradcheck_experiment(kink, tracer);
    tracer.finish();
    CHECK(report.passed());
    CHECK(report.kinks == 3);  // W(0, 0), W(0, 1) and b(0) of the unit with z = 0
    CHECK(report.failed == 0);
  }
  std::ifstream in(dir / "kink.json");
  const Json trace = Json::parse(in);
  REQUIRE(trace["events"].size() == 1);
  CHECK(trace["events"][0]["event"] == "gradcheck");
  CHECK(trace["events"][0]["counts"]["kink"] == 3);
  CHECK_FALSE(trace["hyperparameters"].contains("trace"));
  CHECK(trace["hyperparameters"]["data"] == Json{{"samples", 2}, {"standardize", false}});
  CHECK(trace["network"] == "Dense(2→2, relu) → Dense(2→1, identity)");

  Json s = base_spec();
  s["gradcheck"] = Json{{"h", 0.5}};
  const GradCheckReport coarse = gradcheck_experiment(parse_experiment(s, "spec.json"));
  CHECK(coarse.verdict == CheckVerdict::fail);

  // samples: the check uses the first rows only.
  s["gradcheck"] = Json{{"samples", 1}};
  const Experiment first = parse_experiment(s, "spec.json");
  Rng rng(first.seed);
  Network net = build_network(first, rng);
  const GradCheckReport expected = check_network(net, *make_loss(first), slice_rows(first.data.X, 0, 1),
                                                 slice_rows(first.data.targets, 0, 1), first.gradcheck);
  const GradCheckReport report = gradcheck_experiment(first);
  REQUIRE(report.elements.size() == expected.elements.size());
  for (std::size_t i = 0; i < report.elements.size(); ++i)
    CHECK(report.elements[i].analytic == expected.elements[i].analytic);
}

// ---- a validation set and early stopping --------------------------------------------------------

TEST_CASE("training.validation: a fraction or a count, checked against the data", "[experiment]") {
  Json s = base_spec();
  s["training"]["validation"] = 0.25;
  CHECK(*parse_experiment(s, "spec.json").validation->fraction == 0.25);
  s["training"]["validation"] = Json{{"count", 1}};
  CHECK(*parse_experiment(s, "spec.json").validation->count == 1);
  s["training"]["validation"] = Json{{"count", 4}};
  CHECK(error_of(s) ==
        "training.validation.count: holding out 4 of the 4 samples leaves none for training; at most 3");
  s["training"]["validation"] = Json{{"fraction", 0.1}};  // round(0.4) = 0 samples
  CHECK(error_of(s) == "training.validation.fraction: validation fraction 0.1 of 4 samples holds out 0 and leaves 4 "
                       "for training; both parts need at least one sample");
  s["training"]["validation"] = Json{{"fraction", 0.5}, {"count", 2}};
  CHECK(error_of(s) == "training.validation: expected one of \"fraction\" and \"count\", got both");
  s["training"]["validation"] = Json{{"fractoin", 0.5}};
  CHECK(error_of(s).find("training.validation.fractoin: unknown key (did you mean \"fraction\"?)") == 0);
  s["training"]["validation"] = "20%";
  CHECK(error_of(s) == "training.validation: expected a fraction of the samples in (0, 1), {\"fraction\": …} or "
                       "{\"count\": …}, got the string \"20%\"");
}

TEST_CASE("training.early_stopping: its settings, checked and written back", "[experiment]") {
  Json s = base_spec();
  s["training"]["validation"] = 0.5;
  s["training"]["early_stopping"] = Json{{"patience", 3}, {"restore_best_weights", true}, {"baseline", 0.6}};
  const Experiment e = parse_experiment(s, "spec.json");
  REQUIRE(e.training.early_stopping);
  CHECK(e.training.early_stopping->monitor == "val_loss");
  CHECK(e.training.early_stopping->patience == 3);
  CHECK(*e.training.early_stopping->baseline == 0.6);
  CHECK(to_json(parse_experiment(to_json(e), "spec.json")) == to_json(e));
  s["training"]["early_stopping"] = Json{{"monitor", "val_accuracy"}};
  CHECK(error_of(s) == "training.early_stopping.monitor: \"val_accuracy\" needs \"classification\": true in "
                       "\"training\"");
  s["training"]["early_stopping"] = Json{{"min_delta", -0.1}};
  CHECK(error_of(s) == "training.early_stopping.min_delta: expected a number ≥ 0, got -0.1");
  s["training"].erase("validation");
  s["training"]["early_stopping"] = Json::object();
  CHECK(error_of(s).find("training.early_stopping.monitor: missing; the default \"val_loss\"") == 0);
  s["training"]["early_stopping"] = Json{{"monitor", "loss"}};
  CHECK(error_of(s) == "(no error)");
}

TEST_CASE("a run with a validation set: a stratified split from its own generator, validation numbers traced",
          "[experiment]") {
  const Experiment e = load_experiment(example("early_stopping"));
  const fs::path dir = fresh_dir("validation");
  RunResult result;
  {
    Tracer tracer(dir / "run.json", TraceLevel::summary, trace_header(e, "glassbox"));
    result = run_experiment(e, tracer);
    tracer.finish(result.to_json());
  }
  REQUIRE(result.split);
  CHECK(result.split->validation.size() == 12);  // round(0.2 · 60)
  // Stratified: make_moons has 30 of each class, so 6 of each are held out.
  std::size_t ones = 0;
  for (std::size_t n : result.split->validation) ones += e.data.targets(n, 0) == 1;
  CHECK(ones == 6);
  // The split does not depend on the network: its generator is derived from the seed alone.
  Rng derived = Rng::derived(e.seed, "validation");
  const std::vector<std::size_t> classes = target_classes(e.data.targets);
  CHECK(split_validation(60, *e.validation, derived, &classes).validation == result.split->validation);

  std::ifstream in(dir / "run.json");
  const Json doc = Json::parse(in);
  const Json& events = doc["events"];
  CHECK(events.front()["event"] == "validation_split");
  CHECK(events.front()["validation"].size() == 12);
  std::size_t epochs = 0;
  for (const Json& ev : events)
    if (ev["event"] == "epoch") {
      ++epochs;
      CHECK(ev.contains("val_loss"));
      CHECK(ev.contains("val_accuracy"));
    }
  CHECK(epochs == result.history.size());
  const Json& last = events.back();
  CHECK(last["event"] == "early_stopping");
  // The run stopped early (the lesson's numbers): patience 25 epochs after the best.
  REQUIRE(result.history.size() < e.training.epochs);
  CHECK(last["stopped_epoch"] == result.history.size());
  CHECK(last["best_epoch"].get<std::size_t>() + 25 == result.history.size());
  CHECK(last["restored_epoch"] == last["best_epoch"]);
  // The result reports the restored epoch's numbers, the weights the network ends with.
  const EpochStats& best = result.history[last["best_epoch"].get<std::size_t>() - 1];
  CHECK(doc["result"]["val_loss"] == to_json(*best.val_loss));
  const Evaluation now = evaluate(result.network, *make_loss(e), gather_rows(e.data.X, result.split->validation),
                                  gather_rows(e.data.targets, result.split->validation));
  CHECK(now.loss == *best.val_loss);
}

// ---- dropout, batch normalization, penalties, clipping -------------------------------------------

TEST_CASE("dropout and batch_norm layers with l1/l2 and clipping are read and built and written back", "[experiment]") {
  Json spec = base_spec();
  spec["network"]["layers"] = Json::parse(R"([
    {"units": 4, "activation": "identity", "l1": 0.01, "l2": 0.002},
    {"type": "batch_norm", "momentum": 0.2, "eps": 0.001, "activation": "tanh"},
    {"type": "dropout", "p": 0.25},
    {"type": "dense", "units": 1, "activation": "sigmoid"}])");
  spec["training"]["clip_grad_norm"] = 2.5;
  spec["training"]["batch_size"] = 2;
  const Experiment e = parse_experiment(spec, "spec.json");
  REQUIRE(e.layers.size() == 4);
  CHECK(e.layers[1].type == LayerSpec::Type::batch_norm);
  CHECK(e.layers[1].units == 4);  // as wide as the layer before
  CHECK(e.layers[2].type == LayerSpec::Type::dropout);
  CHECK(e.layers[2].activation.empty());
  CHECK(e.training.clip_grad_norm == 2.5);
  CHECK_FALSE(e.training.clip_grad_value);

  Rng rng = e.rng_at_start;
  Network net = build_network(e, rng);
  // Positions: Dense 0, identity 1, BatchNorm 2, tanh 3, Dropout 4, Dense 5, sigmoid 6.
  CHECK(net.describe() == "Dense(2→4, identity) → BatchNorm(4, tanh) → Dropout(p=0.25) → Dense(4→1, sigmoid)");
  REQUIRE(net.penalties().size() == 1);
  CHECK(net.penalties()[0].name == "layers[0].W");  // W only, never b
  CHECK(net.penalties()[0].penalty.l1 == 0.01);
  CHECK(net.penalties()[0].penalty.l2 == 0.002);
  auto& bn = dynamic_cast<BatchNorm&>(net.layer(2));
  CHECK(bn.momentum() == 0.2);
  CHECK(bn.eps() == 0.001);
  // The dropout layer at position 4 draws from Rng::derived(seed, "dropout layers[4]"): its first
  // mask is that generator's first uniforms against 1 − p.
  auto& dropout = dynamic_cast<Dropout&>(net.layer(4));
  net.forward(e.data.X);
  Rng expected = Rng::derived(3, "dropout layers[4]");
  for (const Scalar m : dropout.mask) CHECK(m == (expected.uniform() < 0.75 ? 1.0 : 0.0));
  // The same dense weights as without the new layers: they draw nothing from the run's generator.
  Json plain = base_spec();
  plain["network"]["layers"] = Json::parse(R"([{"units": 4, "activation": "identity"}, {"units": 1, "activation": "sigmoid"}])");
  const Experiment p = parse_experiment(plain, "plain.json");
  Rng plain_rng = p.rng_at_start;
  Network plain_net = build_network(p, plain_rng);
  CHECK(plain_net.parameter("layers[2].W").value == net.parameter("layers[5].W").value);

  // Written back and read again: the same spec.
  const Json written = to_json(e);
  CHECK(written["network"]["layers"][2] == Json{{"type", "dropout"}, {"p", 0.25}});
  CHECK(written["network"]["layers"][0]["l1"] == 0.01);
  CHECK(to_json(parse_experiment(written, "spec.json")) == written);
  // A spec of dense layers only writes no "type" (its trace header is as before).
  CHECK_FALSE(to_json(p)["network"]["layers"][0].contains("type"));

  // It runs, reproducibly, and gradient-checks in training mode.
  const RunResult a = run_experiment(e), b = run_experiment(e);
  CHECK(a.history.back().loss == b.history.back().loss);
  CHECK(a.history.back().penalty.has_value());
  CHECK(gradcheck_experiment(e).passed());
}

TEST_CASE("dropout and batch_norm and penalty and clipping settings are checked", "[experiment]") {
  const auto with_layer = [](const char* layer) {
    Json spec = base_spec();
    spec["network"]["layers"].insert(spec["network"]["layers"].begin() + 1, Json::parse(layer));
    return spec;
  };
  CHECK(error_of(with_layer(R"({"type": "dropout"})")) ==
        "network.layers[1].p: missing; expected the probability of dropping a unit, a number in [0, 1)");
  CHECK_THAT(error_of(with_layer(R"({"type": "dropout", "p": -0.5})")),
             Catch::StartsWith("network.layers[1].p: expected a number in [0, 1)"));
  CHECK_THAT(error_of(with_layer(R"({"type": "batch_norm", "eps": 0})")),
             Catch::StartsWith("network.layers[1].eps: expected a number > 0"));
  CHECK_THAT(error_of(with_layer(R"({"type": "batch_norm", "units": 3})")),
             Catch::StartsWith("network.layers[1].units: unknown key"));
  CHECK_THAT(error_of(with_layer(R"({"type": "dropout", "p": 0.5, "activation": "rleu"})")),
             Catch::StartsWith("network.layers[1].activation: unknown \"rleu\""));
  Json l2 = base_spec();
  l2["network"]["layers"][0]["l2"] = "big";
  CHECK_THAT(error_of(l2), Catch::StartsWith("network.layers[0].l2: expected a number"));
  Json clip = base_spec();
  clip["training"]["clip_grad_value"] = -1;
  CHECK_THAT(error_of(clip), Catch::StartsWith("training.clip_grad_value: expected a number > 0"));
  // Batch normalization and batches of one: the whole set of 4 as one batch is fine, batches of 3
  // leave a last batch of one.
  Json bn = with_layer(R"({"type": "batch_norm"})");
  CHECK(error_of(bn) == "(no error)");
  bn["training"]["batch_size"] = 3;
  CHECK_THAT(error_of(bn), Catch::StartsWith("training.batch_size: 4 samples with a last batch of one sample"));
  bn["training"]["batch_size"] = 2;
  bn["gradcheck"] = Json{{"samples", 1}};
  CHECK_THAT(error_of(bn), Catch::StartsWith("gradcheck.samples: batch normalization is checked in training mode"));
}

// ---- the schedule -------------------------------------------------------------------------------

TEST_CASE("a schedule in a spec: checked, one_cycle's length from the run, written back, run", "[experiment]") {
  Json spec = base_spec();
  spec["training"]["batch_size"] = 2;  // 2 steps per epoch, 10 in all
  spec["schedule"] = Json{{"name", "one_cycle"}, {"max_lr", 1.0}};
  const Experiment e = parse_experiment(spec, "spec.json");
  CHECK(e.schedule.settings["total_steps"] == 10);  // the whole run: 5 epochs × 2 batches
  const Json written = to_json(e);
  CHECK(written["schedule"] == Json{{"name", "one_cycle"}, {"max_lr", 1.0}, {"total_steps", 10}});
  CHECK(to_json(parse_experiment(written, "spec.json")) == written);
  // the rates the run used are the schedule's (OneCycleLR(1, 10): 0.04 at the first step, 1 at the third)
  std::vector<double> first_rates;
  const RunResult result = run_experiment(e);
  for (const EpochStats& s : result.history) first_rates.push_back(*s.learning_rate);
  const std::vector<double> rates = schedule_rates(OneCycleLR(1.0, 10), 0.5, 10);
  CHECK(first_rates == std::vector<double>{rates[0], rates[2], rates[4], rates[6], rates[8]});

  spec["schedule"] = Json{{"name", "step"}, {"step_size", 0}};
  CHECK(error_of(spec) == "schedule.step_size: expected a whole number ≥ 1, got 0");
  spec["schedule"] = Json{{"name", "plateau"}, {"patiance", 3}};
  CHECK(error_of(spec).rfind("schedule.patiance: unknown key (did you mean \"patience\"?)", 0) == 0);
  spec["schedule"] = "step";
  CHECK(error_of(spec).rfind("schedule: expected an object", 0) == 0);
  spec.erase("schedule");
  CHECK_FALSE(to_json(parse_experiment(spec, "spec.json")).contains("schedule"));  // none: none written
}

TEST_CASE("batch normalization's batch check counts the samples trained on, N − V", "[experiment]") {
  Json bn = base_spec();
  bn["network"]["layers"].insert(bn["network"]["layers"].begin() + 1, Json{{"type", "batch_norm"}});
  bn["data"] = Json::parse(R"({"inputs": [[0, 0], [0, 1], [1, 0], [1, 1], [0, 0], [0, 1], [1, 0], [1, 1], [2, 2],
                                          [2, 1]],
                                "targets": [0, 1, 1, 0, 0, 1, 1, 0, 1, 1]})");
  // 10 samples, 1 held out, batches of 4: the 9 trained on are cut 4 + 4 + 1 — refused, though
  // 10 = 4 + 4 + 2 would have been fine.
  bn["training"]["batch_size"] = 4;
  bn["training"]["validation"] = Json{{"count", 1}};
  CHECK(error_of(bn) == "training.batch_size: 9 training samples (10 − 1 held out for validation) with a last batch "
                        "of one sample (9 = 2·4 + 1): batch normalization needs more than 1 value per feature when "
                        "training; choose another batch size");
  // 2 held out: 8 = 4 + 4 — accepted.
  bn["training"]["validation"] = Json{{"count", 2}};
  CHECK(error_of(bn) == "(no error)");
  // Without a validation set all 10 are trained on (10 = 4 + 4 + 2): accepted; with batches of 3,
  // 10 = 3·3 + 1: refused.
  bn["training"].erase("validation");
  CHECK(error_of(bn) == "(no error)");
  bn["training"]["batch_size"] = 3;
  CHECK_THAT(error_of(bn), Catch::StartsWith("training.batch_size: 10 samples with a last batch of one sample"));
}

TEST_CASE("with a validation set, standardization learns μ and σ from the training part only", "[experiment]") {
  // One input; the regression targets are not stratified. One sample is far away (x = 1000): if it
  // is held out, its value must not move μ and σ of what the network trains on.
  Json spec = Json::parse(R"({
    "name": "leak", "seed": 5,
    "network": {"inputs": 1, "layers": [{"units": 1, "activation": "identity"}]},
    "loss": "mse", "optimizer": {"name": "sgd", "learning_rate": 0.01},
    "data": {"inputs": [[1], [2], [3], [4], [5], [6], [7], [1000]], "targets": [1, 2, 3, 4, 5, 6, 7, 8],
             "standardize": true},
    "training": {"epochs": 1, "shuffle": false, "validation": {"count": 2}}
  })");
  // Find a seed whose split holds out the far sample (the split is drawn from the seed).
  Experiment e;
  RunResult result;
  for (std::uint64_t seed = 1; seed < 50; ++seed) {
    spec["seed"] = seed;
    e = parse_experiment(spec, "leak.json");
    Tracer tracer;
    result = run_experiment(e, tracer);
    const auto& v = result.split->validation;
    if (std::find(v.begin(), v.end(), std::size_t{7}) != v.end()) break;
  }
  const auto& held = result.split->validation;
  REQUIRE(std::find(held.begin(), held.end(), std::size_t{7}) != held.end());
  // μ and σ by hand over the 6 training inputs (population σ, as Standardizer): over all 8 μ would be
  // (28 + 1000)/8 = 128.5.
  double mu = 0, var = 0;
  for (std::size_t n : result.split->train) mu += e.data.inputs(n, 0);
  mu /= 6;
  for (std::size_t n : result.split->train) var += (e.data.inputs(n, 0) - mu) * (e.data.inputs(n, 0) - mu);
  REQUIRE(result.standardizer.has_value());
  CHECK(result.standardizer->mean()(0, 0) == Approx(mu));
  CHECK(result.standardizer->scale()(0, 0) == Approx(std::sqrt(var / 6)));
  CHECK(mu < 8);
  // What the network trained on: the training inputs standardized with these, so the initial loss
  // is that of the initial network on them (not on inputs squeezed together by the far sample).
  Rng rng = e.rng_at_start;
  Network start = build_network(e, rng);
  Matrix X(6, 1), T(6, 1);
  for (std::size_t i = 0; i < 6; ++i) {
    X(i, 0) = static_cast<Scalar>((e.data.inputs(result.split->train[i], 0) - mu) / std::sqrt(var / 6));
    T(i, 0) = e.data.targets(result.split->train[i], 0);
  }
  CHECK(result.initial_loss == Approx(evaluate(start, *make_loss(e), X, T).loss).epsilon(1e-5));
}

// ---- IDX data, named data sets ------------------------------------------------------------------

namespace {

void put_be32(std::string& bytes, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((v >> shift) & 0xff);
}

// An uncompressed IDX file of unsigned bytes: magic, sizes (big-endian), data (data/idx.hpp).
fs::path write_idx(const fs::path& path, std::uint32_t magic, const std::vector<std::uint32_t>& sizes,
                   const std::vector<std::uint8_t>& data) {
  std::string bytes;
  put_be32(bytes, magic);
  for (std::uint32_t s : sizes) put_be32(bytes, s);
  bytes.append(data.begin(), data.end());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out);
  return path;
}

// Three 2×2 images (4 inputs) and their labels 2, 0, 1, for a network of 3 softmax outputs.
Json idx_spec(const fs::path& dir, const std::vector<std::uint8_t>& labels = {2, 0, 1}) {
  write_idx(dir / "images.idx", 0x00000803, {3, 2, 2}, {0, 51, 102, 255, 255, 0, 0, 0, 153, 204, 51, 0});
  write_idx(dir / "labels.idx", 0x00000801, {static_cast<std::uint32_t>(labels.size())}, labels);
  Json s = base_spec();
  s["network"] = Json::parse(R"({"inputs": 4, "layers": [{"units": 3, "activation": "identity"}]})");
  s["loss"] = "sparse_softmax_cross_entropy";
  s["data"] = Json{{"idx", {{"images", "images.idx"}, {"labels", "labels.idx"}}}};
  s["training"]["classification"] = true;
  return s;
}

}  // namespace

TEST_CASE("data.idx: images scaled by 1/255 as the inputs, labels as class indices, paths from the spec's folder",
          "[experiment]") {
  const fs::path dir = fresh_dir("idx_data");
  const Experiment e = parse_experiment(idx_spec(dir), (dir / "spec.json").string());
  CHECK(e.data.source == DataSpec::Source::idx);
  REQUIRE(e.data.X.rows() == 3);
  REQUIRE(e.data.X.cols() == 4);
  // Image 0 is 0, 51, 102, 255 → 0, 0.2, 0.4, 1 (51 = 255/5); image 2 is 153, 204, 51, 0 → 0.6, 0.8, 0.2, 0.
  CHECK(e.data.X(0, 1) == 51.0 / 255);
  CHECK(e.data.X(0, 3) == 1.0);
  CHECK(e.data.X(2, 1) == 204.0 / 255);
  CHECK(e.data.targets(0, 0) == 2);  // a column of class indices for sparse_softmax_cross_entropy
  CHECK(e.data.targets(1, 0) == 0);
  CHECK(e.data.targets(2, 0) == 1);
  CHECK(e.data.class_names == std::vector<std::string>{"0", "1", "2"});
  // Written back as given, and read back the same.
  const Json back = to_json(e);
  CHECK(back["data"]["idx"] == Json{{"images", "images.idx"}, {"labels", "labels.idx"}});
  CHECK(parse_experiment(back, e.source).data.X == e.data.X);
}

TEST_CASE("data.idx: missing files, a label out of range, counts and widths that differ name the JSON path",
          "[experiment]") {
  const fs::path dir = fresh_dir("idx_errors");
  const std::string source = (dir / "spec.json").string();
  Json s = idx_spec(dir);
  s["data"]["idx"]["images"] = "nowhere.idx";
  CHECK_THAT(error_of(s, source), Catch::StartsWith("data.idx.images: ") && Catch::Contains("nowhere.idx"));
  // Label 3 with 3 classes (0, 1, 2).
  CHECK_THAT(error_of(idx_spec(dir, {2, 3, 1}), source),
             Catch::StartsWith("data.idx.labels: ") && Catch::Contains("(the network has 3 classes"));
  CHECK(error_of(idx_spec(dir, {2, 0}), source) == "data.idx: 3 images but 2 labels: one label per image");
  s = idx_spec(dir);
  s["network"]["inputs"] = 5;
  CHECK(error_of(s, source) == "data.idx: images of 2×2 = 4 pixels, but network.inputs = 5");
  s = idx_spec(dir);
  s["data"]["idx"]["extra"] = 1;
  CHECK_THAT(error_of(s, source), Catch::StartsWith("data.idx.extra: unknown key"));
  s = idx_spec(dir);
  s["data"]["csv"] = "x.csv";
  CHECK(error_of(s, source) == "data.idx: not with data.csv: the samples come from one source");
  s = idx_spec(dir);
  s["data"]["part"] = "test";
  CHECK(error_of(s, source) == "data.part: only used with data.dataset");
}

TEST_CASE("data.dataset: fashion-mnist's files found in data.folder, refused with the path when missing",
          "[experiment]") {
  const fs::path dir = fresh_dir("named_dataset");
  // Two 28×28 images, labels 9 (Ankle boot) and 0 (T-shirt/top), uncompressed under the package's names.
  std::vector<std::uint8_t> pixels(2 * 784, 0);
  pixels[0] = 255;
  pixels[784 + 783] = 51;
  write_idx(dir / "t10k-images-idx3-ubyte", 0x00000803, {2, 28, 28}, pixels);
  write_idx(dir / "t10k-labels-idx1-ubyte", 0x00000801, {2}, {9, 0});
  Json s = base_spec();
  s["network"] = Json::parse(R"({"inputs": 784, "layers": [{"units": 10, "activation": "identity"}]})");
  s["loss"] = "sparse_softmax_cross_entropy";
  s["data"] = Json{{"dataset", "fashion-mnist"}, {"part", "test"}, {"folder", "."}};
  const Experiment e = parse_experiment(s, (dir / "spec.json").string());
  CHECK(e.data.source == DataSpec::Source::dataset);
  REQUIRE(e.data.X.rows() == 2);
  CHECK(e.data.X(0, 0) == 1.0);
  CHECK(e.data.X(1, 783) == 0.2);  // 51/255
  CHECK(e.data.targets(0, 0) == 9);
  CHECK(e.data.class_names.at(9) == "Ankle boot");
  CHECK(to_json(e)["data"] == Json{{"dataset", "fashion-mnist"}, {"part", "test"}, {"folder", "."},
                                   {"standardize", false}});
  // The training part is not there.
  s["data"]["part"] = "train";
  CHECK_THAT(error_of(s, (dir / "spec.json").string()),
             Catch::StartsWith("data.folder: ") && Catch::Contains("train-images-idx3-ubyte"));
  s["data"]["part"] = "validation";
  CHECK_THAT(error_of(s, (dir / "spec.json").string()), Catch::StartsWith("data.part: "));
  s["data"]["part"] = "test";
  s["network"]["layers"][0]["units"] = 3;
  CHECK(error_of(s, (dir / "spec.json").string()) ==
        "data.dataset: fashion-mnist has 10 classes, but the network has 3 outputs (network.layers[0].units = 3)");
}

// ---- saved models -------------------------------------------------------------------------------

namespace {

// The trained network's outputs in evaluation mode, and the loaded model's, for the same samples.
void check_round_trip(const Json& spec) {
  Experiment e = parse_experiment(spec, "model_spec.json");
  RunResult result = run_experiment(e);
  const Json model = model_json(e, result.network);
  // Through the text, as a file holds it.
  const Json read_back = parse_json_text(model_text(model), "model.json");
  CHECK(read_back == model);
  Model loaded = load_model(read_back, "model.json");
  result.network.eval();
  const Matrix expected = result.network.forward(e.data.X);
  const Matrix& got = loaded.network.forward(e.data.X);
  REQUIRE(got.rows() == expected.rows());
  for (std::size_t n = 0; n < got.rows(); ++n)
    for (std::size_t j = 0; j < got.cols(); ++j) CHECK(std::bit_cast<std::uint64_t>(got(n, j)) ==
                                                       std::bit_cast<std::uint64_t>(expected(n, j)));
  // Every parameter and buffer, bit for bit.
  const auto a = result.network.state(), b = loaded.network.state();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].name);
    CHECK(a[i].name == b[i].name);
    CHECK(a[i].value == b[i].value);
  }
  CHECK_FALSE(model.contains("save"));
}

}  // namespace

TEST_CASE("a saved model's numbers read back bit for bit, with and without batch normalization", "[experiment]") {
  Json s = base_spec();
  s["training"]["epochs"] = 30;
  s["save"] = "somewhere/model.json";
  check_round_trip(s);
  Json bn = Json::parse(R"({"name": "bn", "seed": 2,
    "network": {"inputs": 2, "layers": [{"units": 4, "activation": "identity"},
                                        {"type": "batch_norm", "activation": "tanh"},
                                        {"units": 1, "activation": "identity"}]},
    "loss": "bce_with_logits", "optimizer": {"name": "adam", "learning_rate": 0.01},
    "data": {"generator": "make_moons", "samples": 40, "noise": 0.1},
    "training": {"epochs": 3, "batch_size": 8, "classification": true}})");
  check_round_trip(bn);
}

TEST_CASE("doubles written by model_text read back bit for bit (nlohmann's shortest round-trip form)",
          "[experiment]") {
  // Numbers whose shortest decimal form is long, the smallest subnormal, the largest double, −0.
  const std::vector<double> awkward{0.1 + 0.2, 1.0 / 3, -2.0 / 3, 5e-324, 1.7976931348623157e308, -0.0,
                                    0.30000000000000004, 123456789.12345679, std::nextafter(1.0, 2.0)};
  const Json written = Json{{"x", awkward}};
  const Json back = parse_json_text(model_text(written), "numbers.json");
  for (std::size_t i = 0; i < awkward.size(); ++i) {
    INFO(i);
    CHECK(std::bit_cast<std::uint64_t>(back["x"][i].get<double>()) == std::bit_cast<std::uint64_t>(awkward[i]));
  }
}

TEST_CASE("a model file without its numbers, with numbers of the wrong shape, or truncated is refused",
          "[experiment]") {
  Experiment e = parse_experiment(base_spec(), "model_spec.json");
  RunResult result = run_experiment(e);
  const Json model = model_json(e, result.network);
  const auto load_error = [](const Json& m) -> std::string {
    try {
      load_model(m, "model.json");
    } catch (const InputError& error) {
      return error.what();
    }
    return "(no error)";
  };
  CHECK(load_error(model) == "(no error)");
  CHECK(load_error(base_spec()) ==
        "network.layers[0]: not a trained model: no \"weights\" (a model is what glassbox run --save writes)");
  Json m = model;
  m["network"]["layers"][1].erase("biases");
  m["network"]["layers"][1]["init"] = "zeros";
  CHECK(load_error(m) ==
        "network.layers[1]: not a trained model: no \"biases\" (a model is what glassbox run --save writes)");
  m = model;
  m["network"]["layers"][0]["weights"][0].erase(1);
  CHECK_THAT(load_error(m), Catch::StartsWith("network.layers[0].weights[0]: "));
  // A batch_norm layer without its running statistics.
  Json bn = base_spec();
  bn["network"]["layers"] = Json::parse(R"([{"units": 2, "activation": "identity", "weights": [[1, 0], [0, 1]],
      "biases": [0, 0]}, {"type": "batch_norm", "gamma": [1, 1], "beta": [0, 0], "running_mean": [0, 0]},
      {"units": 1, "activation": "sigmoid", "weights": [[1, 1]], "biases": [0]}])");
  CHECK(load_error(bn) == "network.layers[1]: not a trained model: no \"gamma\", \"beta\", \"running_mean\" and "
                          "\"running_var\" (a model is what glassbox run --save writes)");
  bn["network"]["layers"][1]["running_var"] = Json::array({1, -1});
  CHECK(load_error(bn) == "network.layers[1].running_var[1]: expected a variance ≥ 0, got -1");
  bn["network"]["layers"][1]["running_var"] = Json::array({1, 2, 3});
  CHECK_THAT(load_error(bn), Catch::StartsWith("network.layers[1].running_var: "));
  // A truncated file: the place where the JSON stops.
  const fs::path dir = fresh_dir("truncated_model");
  const std::string text = model_text(model);
  {
    std::ofstream out(dir / "model.json");
    out << text.substr(0, text.size() / 2);
  }
  try {
    load_model(dir / "model.json");
    FAIL("a truncated model loaded");
  } catch (const InputError& error) {
    CHECK_THAT(error.what(), Catch::StartsWith((dir / "model.json").string() + ":") &&
                                 Catch::Contains("invalid JSON"));
  }
}

TEST_CASE("save_model writes the model atomically, and it loads from the file", "[experiment]") {
  Experiment e = parse_experiment(base_spec(), "model_spec.json");
  RunResult result = run_experiment(e);
  const fs::path dir = fresh_dir("saved_model");
  save_model(e, result.network, dir / "models" / "tiny.json");
  REQUIRE(fs::exists(dir / "models" / "tiny.json"));
  for (const auto& entry : fs::directory_iterator(dir / "models"))  // no partial file left beside it
    CHECK(entry.path().filename() == "tiny.json");
  Model m = load_model(dir / "models" / "tiny.json");
  result.network.eval();
  CHECK(m.network.forward(e.data.X) == result.network.forward(e.data.X));
}

// ---- the trace window ---------------------------------------------------------------------------

TEST_CASE("trace.steps and trace.every_epoch: a window of steps at level full, read, written and checked",
          "[experiment]") {
  Json s = base_spec();
  s["training"]["batch_size"] = 2;  // 2 steps an epoch, 10 in all
  s["trace"] = Json{{"level", "full"}, {"steps", {3, 4}}, {"every_epoch", true}};
  const Experiment e = parse_experiment(s, "spec.json");
  REQUIRE(e.training.trace_window);
  CHECK(e.training.trace_window->first == 3);
  CHECK(e.training.trace_window->last == 4);
  CHECK(e.training.trace_window->every_epoch);
  CHECK(to_json(e)["trace"]["steps"] == Json::array({3, 4}));
  // Steps 3, 4 and each epoch's first (1, 3, 5, 7, 9): step 3 counted once, 6 steps.
  CHECK(e.training.trace_window->count(10, 2) == 6);
  // Steps 3..4 alone: 2; steps past the run's end are not counted: a window 9..20 of 10 steps holds 2.
  CHECK((TrainOptions::TraceWindow{3, 4, false}.count(10, 2)) == 2);
  CHECK((TrainOptions::TraceWindow{9, 20, false}.count(10, 2)) == 2);
  s["trace"]["level"] = "summary";
  CHECK(error_of(s) == "trace.steps: a window of steps traced in full needs trace.level \"full\", got \"summary\"");
  s["trace"] = Json{{"level", "full"}, {"steps", {4, 3}}};
  CHECK(error_of(s) == "trace.steps[1]: the window's last step must be ≥ its first, 4");
  s["trace"] = Json{{"level", "full"}, {"steps", {0, 3}}};
  CHECK_THAT(error_of(s), Catch::StartsWith("trace.steps[0]: "));
  s["trace"] = Json{{"level", "full"}, {"steps", {1, 2, 3}}};
  CHECK_THAT(error_of(s), Catch::StartsWith("trace.steps: expected [A, B]"));
}

TEST_CASE("the trace estimate counts only the window's steps at level full", "[experiment]") {
  // 60 epochs of 1000 samples in batches of 10: 6000 steps. In full every sample's activations are
  // traced (about 60 · 1000 · widths · 8 bytes); a window of 2 steps traces 2 batches of 10.
  const std::vector<LayerWidths> layers{{784, 256}, {256, 256}, {256, 10}};
  const std::size_t parameters = 784 * 256 + 256 + 256 * 10 + 10;
  TrainOptions options;
  options.epochs = 60;
  options.batch_size = 10;
  const double all = estimated_trace_bytes(layers, parameters, 1000, options, TraceLevel::full);
  options.trace_window = TrainOptions::TraceWindow{5, 6, false};
  const double window = estimated_trace_bytes(layers, parameters, 1000, options, TraceLevel::full);
  const double summary = estimated_trace_bytes(layers, parameters, 1000, options, TraceLevel::summary);
  // widths = (784 + 512) + (256 + 512) + (256 + 20) = 2340; a full step: its step event
  // 80 + 38·3, 10 samples · 2340 · 8, 3 · parameters · 8 and 100 · 9 of keys.
  const double step = 80 + 38.0 * 3 + 10.0 * 2340 * 8 + 3.0 * static_cast<double>(parameters) * 8 + 900;
  CHECK(window == Approx(summary + 2 * step));
  CHECK(all > 1000 * window);
}

// ---- test samples -------------------------------------------------------------------------------

TEST_CASE("test: samples kept apart, read as data is, with their own JSON paths in messages", "[experiment]") {
  Json s = base_spec();
  s["test"] = Json{{"inputs", {{1, 1}, {0, 1}}}, {"targets", {0, 1}}};
  const Experiment e = parse_experiment(s, "spec.json");
  REQUIRE(e.test);
  CHECK(e.test->given_inputs() == Matrix{{1, 1}, {0, 1}});
  CHECK(e.test->targets == Matrix{{0}, {1}});
  CHECK(e.data.given_inputs().rows() == 4);  // the training data is untouched
  CHECK(to_json(e)["test"] == Json{{"inputs", {{1.0, 1.0}, {0.0, 1.0}}}, {"targets", {{0.0}, {1.0}}}});
  CHECK(parse_experiment(to_json(e), "spec.json").test->given_inputs() == e.test->given_inputs());

  s["test"]["inputs"][1] = Json::array({0, 1, 2});
  CHECK(error_of(s) == "test.inputs[1]: expected 2 numbers (network.inputs = 2), got 3 numbers");
  s["test"] = Json{{"generator", "make_moons"}};
  CHECK_THAT(error_of(s), Catch::StartsWith("test.generator: not in test: a generator draws"));
  s["test"] = Json{{"inputs", {{1, 1}}}, {"targets", {0}}, {"standardize", true}};
  CHECK_THAT(error_of(s), Catch::StartsWith("test.standardize: not in test"));
  s["test"] = Json{{"inputs", {{1, 1}}}, {"targets", {2}}};
  CHECK_THAT(error_of(s), Catch::StartsWith("test.targets[0]: bce takes targets from 0 to 1"));
}

TEST_CASE("test_inputs: the test samples standardized with the training data's μ and σ", "[experiment]") {
  Json s = base_spec();
  // Training inputs' columns: μ = 0.5 and σ = 0.5 each (0, 0, 1, 1); so x' = (x − 0.5)/0.5 = 2x − 1.
  s["data"]["standardize"] = true;
  s["test"] = Json{{"inputs", {{1, 0}, {0.5, 2}}}, {"targets", {1, 0}}};
  const Experiment e = parse_experiment(s, "spec.json");
  const RunResult result = run_experiment(e);
  CHECK(test_inputs(e, result) == Matrix{{1, -1}, {0, 3}});
  // A saved model carries μ and σ and its test samples: the same inputs from the loaded model.
  Network trained = result.network;
  const Model m = load_model(model_json(e, trained), "model.json");
  REQUIRE(m.experiment.test);
  CHECK(test_inputs(m.experiment, RunResult{}) == Matrix{{1, -1}, {0, 3}});
}

TEST_CASE("training.epoch_metrics: evaluate (the default) or running, kept by to_json only when running", "[experiment]") {
  Json s = base_spec();
  CHECK(parse_experiment(s, "spec.json").training.epoch_metrics == EpochMetrics::evaluate);
  CHECK_FALSE(to_json(parse_experiment(s, "spec.json"))["training"].contains("epoch_metrics"));
  s["training"]["epoch_metrics"] = "running";
  const Experiment e = parse_experiment(s, "spec.json");
  CHECK(e.training.epoch_metrics == EpochMetrics::running);
  CHECK(to_json(e)["training"]["epoch_metrics"] == "running");
  CHECK(parse_experiment(to_json(e), "spec.json").training.epoch_metrics == EpochMetrics::running);
  s["training"]["epoch_metrics"] = "runing";
  CHECK_THAT(error_of(s), Catch::StartsWith("training.epoch_metrics: unknown \"runing\" (did you mean \"running\"?)"));
  s["training"]["epoch_metrics"] = true;
  CHECK_THAT(error_of(s), Catch::StartsWith("training.epoch_metrics: "));
}
