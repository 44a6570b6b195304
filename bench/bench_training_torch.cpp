// bench_training_torch — the same training as bench_training, in libtorch (PyTorch's C++ library).
//
// Reads the work bench_training --export wrote (DIR/<task>.json and its arrays): the data, the
// initial weights and biases, and every epoch's order of the samples. Builds the network from
// torch::nn::Linear layers with those parameters, in float64 or float32, and times the loop a
// PyTorch user writes: for each batch of the given order, zero_grad, forward, loss, backward,
// torch::optim::SGD's step (no momentum). Data loading and conversion are outside the timed part;
// gathering each batch's rows (index_select) is inside it, as train()'s gather is for glassbox.
//
// Prints one line of JSON: the elapsed and processor time of the loop, the mean of the last
// epoch's batch losses, the loss on the training and the test set after it (computed after the timer stops).
//
// Run: bench/compare_training.py (scripts/bench), or
//   build/release/bin/bench_training_torch --work DIR --task fmnist|circles --dtype float64|float32 --threads N
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

std::vector<char> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open (run bench_training --export first)");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One array of the manifest as a tensor: u8 as uint8, u32 as int64 (libtorch has no uint32), f64 as double.
torch::Tensor read_array(const fs::path& dir, const Json& manifest, const std::string& name) {
  const Json& a = manifest.at("arrays").at(name);
  const std::vector<int64_t> shape = a.at("shape").get<std::vector<int64_t>>();
  int64_t count = 1;
  for (int64_t s : shape) count *= s;
  const std::string dtype = a.at("dtype");
  std::vector<char> bytes = read_bytes(dir / a.at("file").get<std::string>());
  const std::size_t width = dtype == "u8" ? 1 : dtype == "u32" ? 4 : 8;
  if (bytes.size() != static_cast<std::size_t>(count) * width)
    throw std::runtime_error(name + ": expected " + std::to_string(count * static_cast<int64_t>(width)) + " bytes, found " +
                             std::to_string(bytes.size()));
  if (dtype == "u8") return torch::from_blob(bytes.data(), shape, torch::kUInt8).clone();
  if (dtype == "f64") return torch::from_blob(bytes.data(), shape, torch::kFloat64).clone();
  if (dtype == "u32") {
    std::vector<int64_t> values(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::uint32_t v;
      std::memcpy(&v, bytes.data() + 4 * i, 4);
      values[i] = v;
    }
    return torch::from_blob(values.data(), shape, torch::kInt64).clone();
  }
  throw std::runtime_error(name + ": unknown dtype " + dtype);
}

int usage_error(const std::string& message) {
  std::cerr << "bench_training_torch: " << message << "\n(try bench_training_torch --help)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path work;
  std::string task = "fmnist", dtype_name = "float64";
  int threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--work" && has_value) {
      work = argv[++i];
    } else if (arg == "--task" && has_value) {
      task = argv[++i];
    } else if (arg == "--dtype" && has_value) {
      dtype_name = argv[++i];
      if (dtype_name != "float64" && dtype_name != "float32")
        return usage_error("--dtype: expected float64 or float32, got '" + dtype_name + "'");
    } else if (arg == "--threads" && has_value) {
      const std::string value = argv[++i];
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || std::stoi(value) < 1)
        return usage_error("--threads: expected a whole number ≥ 1, got '" + value + "'");
      threads = std::stoi(value);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: bench_training_torch --work DIR [--task fmnist|circles] [--dtype float64|float32] "
                   "[--threads N]\n  Times libtorch on the work bench_training --export wrote to DIR; prints one "
                   "line of JSON.\n";
      return 0;
    } else {
      return usage_error("unknown argument '" + arg + "'");
    }
  }
  if (work.empty()) return usage_error("--work DIR is required (bench_training --export DIR writes it)");

  try {
    at::set_num_threads(threads);
    const auto dtype = dtype_name == "float64" ? torch::kFloat64 : torch::kFloat32;
    std::ifstream manifest_file(work / (task + ".json"));
    if (!manifest_file) throw std::runtime_error((work / (task + ".json")).string() + ": cannot open");
    const Json manifest = Json::parse(manifest_file);
    const double x_scale = manifest.at("x_scale");
    const bool classes = manifest.at("loss") == "cross_entropy";
    // x = grey/255 (or the stored values) in the chosen precision; targets as the loss takes them.
    auto inputs = [&](const std::string& name) { return read_array(work, manifest, name).to(dtype) / x_scale; };
    auto targets = [&](const std::string& name) {
      const torch::Tensor y = read_array(work, manifest, name);
      return classes ? y.to(torch::kInt64) : y.to(dtype).reshape({-1, 1});
    };
    const torch::Tensor X = inputs("x_train"), Y = targets("y_train");
    const torch::Tensor X_test = inputs("x_test"), Y_test = targets("y_test");
    const torch::Tensor order = read_array(work, manifest, "order");

    const std::vector<int64_t> widths = manifest.at("layers").get<std::vector<int64_t>>();
    torch::nn::Linear first(widths[0], widths[1]), second(widths[1], widths[2]);
    torch::nn::Sequential model(first, torch::nn::ReLU());
    model->push_back(second);
    if (!classes) model->push_back(torch::nn::Sigmoid());
    model->to(dtype);
    {
      torch::NoGradGuard no_grad;
      const Json& p = manifest.at("parameters");
      auto parameter = [&](std::size_t i) { return read_array(work, manifest, p.at(i).at("array")).to(dtype); };
      first->weight.copy_(parameter(0));
      first->bias.copy_(parameter(1).reshape({-1}));
      second->weight.copy_(parameter(2));
      second->bias.copy_(parameter(3).reshape({-1}));
    }
    auto loss_of = [&](const torch::Tensor& out, const torch::Tensor& y) {
      return classes ? torch::nn::functional::cross_entropy(out, y) : torch::nn::functional::binary_cross_entropy(out, y);
    };
    torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(manifest.at("learning_rate").get<double>()));

    const int64_t N = X.size(0), B = manifest.at("batch_size"), epochs = manifest.at("epochs");
    double batch_losses = 0;  // of the last epoch (glassbox's train() reports each epoch's)
    int64_t steps = 0, last_epoch_steps = 0;
    const auto wall_start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    for (int64_t e = 0; e < epochs; ++e) {
      const torch::Tensor epoch_order = order[e];
      batch_losses = 0;
      last_epoch_steps = 0;
      for (int64_t first_row = 0; first_row < N; first_row += B) {
        const torch::Tensor rows = epoch_order.narrow(0, first_row, std::min(B, N - first_row));
        const torch::Tensor xb = X.index_select(0, rows), yb = Y.index_select(0, rows);
        sgd.zero_grad();
        const torch::Tensor loss = loss_of(model->forward(xb), yb);
        loss.backward();
        sgd.step();
        batch_losses += loss.item<double>();
        ++steps;
        ++last_epoch_steps;
      }
    }
    const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

    torch::NoGradGuard no_grad;
    const double train_loss = loss_of(model->forward(X), Y).item<double>();
    const double test_loss = loss_of(model->forward(X_test), Y_test).item<double>();
    const Json line{{"contender", "libtorch"},
                    {"dtype", dtype_name},
                    {"task", task},
                    {"threads", std::to_string(threads)},
                    {"reported_threads", at::get_num_threads()},
                    {"samples", N},
                    {"epochs", epochs},
                    {"steps", steps},
                    {"seconds", seconds},
                    {"cpu_seconds", cpu_seconds},
                    {"mean_batch_loss", batch_losses / static_cast<double>(last_epoch_steps)},
                    {"train_loss", train_loss},
                    {"test_loss", test_loss}};
    std::cout << line.dump() << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_training_torch: " << e.what() << '\n';
    return 1;
  }
}
