// bench_training — how long does glassbox take to train a whole network, as a user calls train()?
//
// Two tasks, both with plain SGD (no momentum), shuffled mini-batches, tracing off:
//   fmnist   Fashion-MNIST, 784 → 128 ReLU → 10 logits, softmax cross-entropy, η = 0.01, batch 32,
//            one epoch of the 60,000 training images (grey/255 ∈ [0, 1]); the test loss on the
//            10,000 test images afterwards
//   circles  make_circles as in examples/make_circles.json (200 points, noise 0.1, factor 0.5),
//            2 → 20 ReLU → 1 sigmoid, binary cross-entropy, η = 0.5, batch 20, 100 epochs; the
//            "test" loss on 200 more points from the same generator
//
// The timed part is the call to train() and nothing else: data loading and building the network
// are outside it. train() runs with epoch_metrics = running, as the torch loops do: the epoch's
// loss is the mean of its batches, with no second pass over the training set (the default,
// "evaluate", makes one; the bench times one such evaluation on its own, to show what it costs).
// Next to the epoch it prints the GEMM-only floor: the floating-point operations of
// the epoch's matrix products at the rate glassbox's product kernel reaches at those shapes,
// measured here with matmul_abt_into and friends — the time an epoch would take if it did nothing
// but its products.
//
// With --export DIR it trains nothing and writes what the other contenders need to do exactly the
// same work (bench/bench_training_torch.cpp, bench/bench_training.py): the data, the initial
// weights and biases, and every epoch's order of the samples, which is the order train() draws
// with the same Rng (rng.permutation(N) once per epoch). The files: DIR/<task>.json says what
// each DIR/<task>.<array>.bin holds (raw little-endian arrays, row-major).
//
// Threads: glassbox reads GLASSBOX_THREADS itself (where the library supports it); the bench echoes
// the variable, the count glassbox reports (kernel::threads(), where it exists) and the processor
// time over the elapsed time of train(), which shows how many cores it kept busy.
//
// Run: scripts/bench (bench/compare_training.py runs every contender), or
//   build/release/bin/bench_training [--task fmnist|circles] [--quick] [--json] [--export DIR]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"
#include "glassbox/core/json.hpp"
#include "glassbox/core/kernel.hpp"
#include "glassbox/core/matrix.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/data/idx.hpp"
#include "glassbox/data/synthetic.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/train.hpp"
#include "timing.hpp"

using namespace glassbox;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t seed = 1;

// --quick: a tenth of Fashion-MNIST's epoch (and a fifth of its test set), a tenth of the circles'
// epochs. Enough to see that everything runs; the times are rough.
constexpr std::size_t quick_fmnist_train = 6000, quick_fmnist_test = 2000, quick_circles_epochs = 10;

// One task, ready to train: data, the network with its initial parameters, the loss, the settings,
// and the Rng train() will shuffle with.
struct Task {
  std::string name;
  Matrix X, T;            // training set: (N×in), targets (N×1: class indices or 0/1)
  Matrix X_test, T_test;  // the same for the test set
  // Grey levels for --export (Fashion-MNIST: the file's bytes; X = grey/255), empty for circles.
  std::vector<std::uint8_t> grey, grey_test;
  Network net;
  std::unique_ptr<Loss> loss;
  double learning_rate = 0;
  TrainOptions options;
  Rng rng{seed};
};

// The first `n` rows of a row-major array of `width` columns.
template <class T>
std::vector<T> first_rows(const std::vector<T>& values, std::size_t n, std::size_t width) {
  return {values.begin(), values.begin() + static_cast<std::ptrdiff_t>(std::min(values.size(), n * width))};
}
Matrix first_rows(const Matrix& m, std::size_t n) {
  std::vector<std::size_t> rows(std::min(n, m.rows()));
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  return gather_rows(m, rows);
}

Task fashion_mnist_task(bool quick, const fs::path& folder, bool keep_grey) {
  Task task;
  task.name = "fmnist";
  const Dataset train_set = load_fashion_mnist(folder, "train");
  const Dataset test_set = load_fashion_mnist(folder, "test");
  const std::size_t n_train = quick ? quick_fmnist_train : train_set.size();
  const std::size_t n_test = quick ? quick_fmnist_test : test_set.size();
  task.X = first_rows(train_set.X, n_train);
  task.T = first_rows(label_column(train_set.labels), n_train);
  task.X_test = first_rows(test_set.X, n_test);
  task.T_test = first_rows(label_column(test_set.labels), n_test);
  if (keep_grey) {
    const std::size_t pixels = train_set.X.cols();
    task.grey = first_rows(read_idx(folder / "train-images-idx3-ubyte.gz", idx_images_magic).values, n_train, pixels);
    task.grey_test = first_rows(read_idx(folder / "t10k-images-idx3-ubyte.gz", idx_images_magic).values, n_test, pixels);
  }
  task.net.dense(784, 128, task.rng).activation("relu").dense(128, 10, task.rng);
  task.loss = std::make_unique<SparseSoftmaxCrossEntropy>();
  task.learning_rate = 0.01;
  task.options.epochs = 1;
  task.options.batch_size = 32;
  task.options.shuffle = true;
  // Like the torch loops (and Keras), report the running mean of the batches instead of evaluating
  // the whole training set again after the epoch.
  task.options.epoch_metrics = EpochMetrics::running;
  return task;
}

Task circles_task(bool quick) {
  Task task;
  task.name = "circles";
  const synthetic::LabelledPoints train_set = synthetic::make_circles(200, 0.1, 0.5, task.rng);
  const synthetic::LabelledPoints test_set = synthetic::make_circles(200, 0.1, 0.5, task.rng);
  task.X = train_set.X;
  task.T = train_set.targets();
  task.X_test = test_set.X;
  task.T_test = test_set.targets();
  task.net.dense(2, 20, task.rng).activation("relu").dense(20, 1, task.rng).activation("sigmoid");
  task.loss = std::make_unique<BinaryCrossEntropy>();
  task.learning_rate = 0.5;
  task.options.epochs = quick ? quick_circles_epochs : 100;
  task.options.batch_size = 20;
  task.options.shuffle = true;
  task.options.epoch_metrics = EpochMetrics::running;
  return task;
}

// ---- --export ------------------------------------------------------------------------------------

// Writes the raw bytes of `values` to DIR/<task>.<array>.bin and describes them in `arrays`.
template <class T>
void write_array(Json& arrays, const fs::path& dir, const std::string& task, const std::string& array,
                 const std::vector<T>& values, std::vector<std::size_t> shape, const std::string& dtype) {
  const std::string file = fmt::format("{}.{}.bin", task, array);
  std::ofstream out(dir / file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(T)));
  if (!out) throw InputError(fmt::format("{}: could not write {} bytes", (dir / file).string(), values.size() * sizeof(T)));
  arrays[array] = Json{{"file", file}, {"dtype", dtype}, {"shape", shape}};
}

std::vector<double> values_of(const Matrix& m) { return {m.data(), m.data() + m.size()}; }

std::vector<std::uint8_t> labels_of(const Matrix& T) {
  std::vector<std::uint8_t> labels(T.rows());
  for (std::size_t n = 0; n < T.rows(); ++n) labels[n] = static_cast<std::uint8_t>(T(n, 0));
  return labels;
}

// The work of one run of train(), for the other contenders: data, initial parameters, batch order.
void export_task(Task& task, const fs::path& dir) {
  fs::create_directories(dir);
  const std::size_t N = task.X.rows(), in = task.X.cols();
  Json arrays = Json::object();
  if (!task.grey.empty()) {  // x = grey/255, computed by each contender in its own precision
    write_array(arrays, dir, task.name, "x_train", task.grey, {N, in}, "u8");
    write_array(arrays, dir, task.name, "x_test", task.grey_test, {task.X_test.rows(), in}, "u8");
  } else {
    write_array(arrays, dir, task.name, "x_train", values_of(task.X), {N, in}, "f64");
    write_array(arrays, dir, task.name, "x_test", values_of(task.X_test), {task.X_test.rows(), in}, "f64");
  }
  write_array(arrays, dir, task.name, "y_train", labels_of(task.T), {N}, "u8");
  write_array(arrays, dir, task.name, "y_test", labels_of(task.T_test), {task.T_test.rows()}, "u8");
  // The orders train() will draw: it calls rng.permutation(N) at the start of every epoch and
  // uses the Rng for nothing else (a copy draws the same numbers).
  Rng shuffler = task.rng;
  std::vector<std::uint32_t> orders;
  for (std::size_t e = 0; e < task.options.epochs; ++e)
    for (std::size_t i : shuffler.permutation(N)) orders.push_back(static_cast<std::uint32_t>(i));
  write_array(arrays, dir, task.name, "order", orders, {task.options.epochs, N}, "u32");
  Json parameters = Json::array();
  for (const ParameterRef& p : task.net.parameters()) {  // W₁, b₁, W₂, b₂: W (out×in), b (1×out)
    const std::string array = fmt::format("param{}", parameters.size());
    write_array(arrays, dir, task.name, array, values_of(p.value), {p.value.rows(), p.value.cols()}, "f64");
    parameters.push_back(Json{{"name", p.name}, {"array", array}});
  }
  const bool classes = task.name == "fmnist";
  Json manifest{{"task", task.name},
                {"network", task.net.describe()},
                {"layers", classes ? Json{784, 128, 10} : Json{2, 20, 1}},
                {"output", classes ? "logits" : "sigmoid"},
                {"loss", classes ? "cross_entropy" : "bce"},
                {"x_scale", task.grey.empty() ? 1.0 : 255.0},
                {"learning_rate", task.learning_rate},
                {"batch_size", task.options.batch_size},
                {"epochs", task.options.epochs},
                {"parameters", parameters},
                {"arrays", arrays}};
  const fs::path path = dir / (task.name + ".json");
  std::ofstream out(path, std::ios::trunc);
  out << manifest.dump(2) << '\n';
  if (!out) throw InputError(fmt::format("{}: could not write the manifest", path.string()));
}

// ---- the GEMM-only floor -------------------------------------------------------------------------

struct Product {
  std::string name;
  double flops_per_epoch;  // 2·(multiply-adds), all the epoch's calls together
  double gflops;           // the kernel's rate at this shape
  double seconds() const { return flops_per_epoch / (gflops * 1e9); }
};

// The products of the epoch of a 784 → 128 → 10 network, timed at their shapes: per step (B rows)
// Z₁ = X·W₁ᵀ, Z₂ = H·W₂ᵀ, dW₂ = dZ₂ᵀ·H, dH = dZ₂·W₂, dW₁ = dZ₁ᵀ·X (the first layer's dL/dX is
// not computed: the input needs no gradient); and, for train()'s evaluation of the N samples
// after the epoch, Z₁ and Z₂ over all of them (timed on `eval_rows` rows: the rate hardly depends
// on the row count, the whole set would take a second a product).
std::vector<Product> gemm_floor(std::size_t N, std::size_t B, double budget) {
  constexpr std::size_t in = 784, hidden = 128, out = 10, eval_rows = 2048;
  Rng rng(2);
  auto uniform = [&](std::size_t r, std::size_t c) { return Matrix::uniform(r, c, rng, -1, 1); };
  const Matrix X = uniform(B, in), W1 = uniform(hidden, in), H = uniform(B, hidden), W2 = uniform(out, hidden);
  const Matrix dZ2 = uniform(B, out), dZ1 = uniform(B, hidden), X_eval = uniform(eval_rows, in),
               H_eval = uniform(eval_rows, hidden);
  Matrix Z1, Z2, dW2(out, hidden), dH, dW1(hidden, in), Z1_eval, Z2_eval;
  const double steps = static_cast<double>(N) / static_cast<double>(B);  // rows summed over the batches / B
  const double b = static_cast<double>(B), rows = static_cast<double>(N);
  auto product = [&](std::string name, double flops_per_call, double calls, const std::function<void()>& op) {
    const double seconds = best_seconds(op, glassbox::bench::Timing{0.005, budget});
    return Product{std::move(name), flops_per_call * calls, flops_per_call / seconds / 1e9};
  };
  const auto e = [](std::size_t x) { return static_cast<double>(x); };
  std::vector<Product> products;
  products.push_back(product("Z1 = X·W1ᵀ", 2 * b * e(in) * e(hidden), steps, [&] { matmul_abt_into(Z1, X, W1); }));
  products.push_back(product("Z2 = H·W2ᵀ", 2 * b * e(hidden) * e(out), steps, [&] { matmul_abt_into(Z2, H, W2); }));
  products.push_back(product("dW2 += dZ2ᵀ·H", 2 * b * e(out) * e(hidden), steps,
                             [&] { matmul_atb_into(dW2, dZ2, H, true); }));
  products.push_back(product("dH = dZ2·W2", 2 * b * e(out) * e(hidden), steps, [&] { matmul_into(dH, dZ2, W2); }));
  products.push_back(product("dW1 += dZ1ᵀ·X", 2 * b * e(hidden) * e(in), steps,
                             [&] { matmul_atb_into(dW1, dZ1, X, true); }));
  const double eval_calls = rows / e(eval_rows);
  products.push_back(product("evaluation Z1", 2 * e(eval_rows) * e(in) * e(hidden), eval_calls,
                             [&] { matmul_abt_into(Z1_eval, X_eval, W1); }));
  products.push_back(product("evaluation Z2", 2 * e(eval_rows) * e(hidden) * e(out), eval_calls,
                             [&] { matmul_abt_into(Z2_eval, H_eval, W2); }));
  return products;
}

// ---- what the machine gives two threads -----------------------------------------------------------
// A virtual machine's two processors may be two cores of its host, or the two hyper-threads of one
// core (sharing its arithmetic units, L1 and L2), and which one can change from minute to minute. So
// just before and right after a run the bench measures what two threads get, with plain
// std::threads, each running its own one-thread job on its own data: the job's time on two threads
// at once over its time on one thread alone. The factor is 1 when each thread had a whole core, 2
// when the two shared one. Two jobs: the product kernel's arithmetic, and a pass over 1.2 MB per
// thread (like SGD's update of half of W₁, its gradient and Δθ).

struct HostFactors {
  double arithmetic = 0, memory = 0;
};

// The product kernel on one thread, at the shape of dW₁ = dZ₁ᵀ·X (its operands in cache): bound by
// the core's arithmetic units, which two hyper-threads of one core share.
double arithmetic_job(std::size_t rounds) {
  Rng rng(3);
  const Matrix dZ = Matrix::uniform(32, 128, rng, -1, 1), X = Matrix::uniform(32, 784, rng, -1, 1);
  Matrix dW(128, 784);
  for (std::size_t r = 0; r < rounds; ++r) matmul_atb_into(dW, dZ, X);
  return dW(0, 0);
}

// θ ← θ − s·g with Δθ kept, over 50,176 numbers of each (half of W₁), `rounds` times.
double memory_job(std::size_t rounds) {
  constexpr std::size_t n = 64 * 784;
  std::vector<double> theta(n, 1.0), g(n, 0.5), delta(n);
  for (std::size_t r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < n; ++i) {
      delta[i] = -1e-9 * g[i];
      theta[i] += delta[i];
    }
  return theta[n / 2];
}

// Time of `job` on two threads at once over its time alone; the best of `tries` each.
double two_thread_factor(double (*job)(std::size_t), std::size_t rounds, int tries) {
  volatile double sink = 0;
  auto seconds = [](auto&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double alone = 1e300, together = 1e300;
  for (int t = 0; t < tries; ++t) {
    alone = std::min(alone, seconds([&] { sink = sink + job(rounds); }));
    together = std::min(together, seconds([&] {
      double other = 0;
      std::thread second([&] { other = job(rounds); });
      sink = sink + job(rounds);
      second.join();
      sink = sink + other;
    }));
  }
  return together / alone;
}

HostFactors host_factors(bool quick) {
  const int tries = quick ? 1 : 3;
  const std::size_t threads = kernel::threads();
  kernel::set_threads(1);  // each thread's product on that thread
  const HostFactors factors{two_thread_factor(arithmetic_job, quick ? 60 : 300, tries),
                            two_thread_factor(memory_job, quick ? 40 : 200, tries)};
  kernel::set_threads(threads);
  return factors;
}

// ---- one timed run -------------------------------------------------------------------------------

struct Result {
  double seconds = 0, cpu_seconds = 0;  // train(): elapsed and processor time (all threads)
  double eval_seconds = 0;              // one evaluation of the training set, timed alone
  std::size_t steps = 0;
  double mean_batch_loss = 0, train_loss = 0, test_loss = 0;
};

Result train_task(Task& task) {
  SGD sgd(task.learning_rate);
  Result r;
  const auto wall_start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  const std::vector<EpochStats> history = train(task.net, *task.loss, sgd, task.X, task.T, task.rng, task.options);
  r.cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  r.steps = history.back().steps;
  r.mean_batch_loss = history.back().mean_batch_loss;
  // The loss on the training set, as the other contenders compute it after their loop; timed,
  // because that is what train()'s default epoch_metrics (evaluate) adds to every epoch.
  const auto eval_start = std::chrono::steady_clock::now();
  r.train_loss = evaluate(task.net, *task.loss, task.X, task.T).loss;
  r.eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - eval_start).count();
  r.test_loss = evaluate(task.net, *task.loss, task.X_test, task.T_test).loss;
  return r;
}

// How many threads glassbox's products may use (GLASSBOX_THREADS, or the machine's cores).
std::size_t glassbox_threads() { return glassbox::kernel::threads(); }

int usage_error(const std::string& message) {
  fmt::print(stderr, "bench_training: {}\n(try bench_training --help)\n", message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string task_name = "fmnist";
  bool quick = false, json = false;
  std::optional<fs::path> export_dir;
  fs::path data_folder = fashion_mnist_debian_folder;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--task" && has_value) {
      task_name = argv[++i];
      if (task_name != "fmnist" && task_name != "circles")
        return usage_error(fmt::format("--task: expected fmnist or circles, got '{}'", task_name));
    } else if (arg == "--export" && has_value) {
      export_dir = argv[++i];
    } else if (arg == "--data" && has_value) {
      data_folder = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      fmt::print("usage: bench_training [--task fmnist|circles] [--quick] [--json] [--export DIR] [--data FOLDER]\n"
                 "  Times glassbox's train() on one task (fmnist: one epoch of Fashion-MNIST, 784-128-10;\n"
                 "  circles: 100 epochs of make_circles, 2-20-1) and prints the GEMM-only floor of the epoch.\n"
                 "  --quick         a tenth of the work: checks that the bench runs; rough numbers\n"
                 "  --json          one line of JSON (for bench/compare_training.py)\n"
                 "  --export DIR    train nothing; write the task's data, initial weights and batch order\n"
                 "                  to DIR for the libtorch and PyTorch contenders\n"
                 "  --data FOLDER   Fashion-MNIST's files (default {})\n"
                 "  GLASSBOX_THREADS=N in the environment is passed on to glassbox.\n",
                 fashion_mnist_debian_folder);
      return 0;
    } else if (arg == "--task" || arg == "--export" || arg == "--data") {
      return usage_error(fmt::format("{} needs a value", arg));
    } else {
      return usage_error(fmt::format("unknown argument '{}'", arg));
    }
  }

  try {
    Task task = task_name == "fmnist" ? fashion_mnist_task(quick, data_folder, export_dir.has_value())
                                      : circles_task(quick);
    if (export_dir) {
      export_task(task, *export_dir);
      if (!json) fmt::print("bench_training: wrote {} to {}\n", task.name, export_dir->string());
      return 0;
    }
    const char* threads_env = std::getenv("GLASSBOX_THREADS");
    const std::string threads = threads_env ? threads_env : "";
    const std::size_t N = task.X.rows();
    // Only Fashion-MNIST's steps are large enough to use a second thread. What the machine gives two
    // threads is measured just before and right after the run; the worse of the two is reported.
    const bool probe_host = task.name == "fmnist";
    const HostFactors host_before = probe_host ? host_factors(quick) : HostFactors{};
    const Result r = train_task(task);
    // The floor is measured after training, so that it does not warm anything up for train().
    std::vector<Product> floor;
    if (task.name == "fmnist") floor = gemm_floor(N, task.options.batch_size, quick ? 0.01 : 0.05);
    double floor_steps = 0, floor_eval = 0;
    for (const Product& p : floor) (p.name.rfind("evaluation", 0) == 0 ? floor_eval : floor_steps) += p.seconds();
    const HostFactors host_after = probe_host ? host_factors(quick) : HostFactors{};
    const HostFactors host{std::max(host_before.arithmetic, host_after.arithmetic),
                           std::max(host_before.memory, host_after.memory)};

    if (json) {
      Json products = Json::array();
      for (const Product& p : floor) products.push_back(Json{{"product", p.name}, {"gflops", p.gflops}, {"seconds", p.seconds()}});
      Json line{{"contender", "glassbox"},  {"dtype", "float64"},          {"task", task.name},
                {"threads", threads},       {"reported_threads", glassbox_threads()}, {"samples", N},                {"epochs", task.options.epochs},
                {"steps", r.steps},         {"seconds", r.seconds},        {"cpu_seconds", r.cpu_seconds},
                {"eval_seconds", r.eval_seconds},                          {"mean_batch_loss", r.mean_batch_loss},
                {"train_loss", r.train_loss}, {"test_loss", r.test_loss}};
      if (probe_host) {
        line["host_arithmetic_factor"] = host.arithmetic;
        line["host_memory_factor"] = host.memory;
      }
      if (!floor.empty()) {
        line["floor_seconds"] = floor_steps;
        line["floor_eval_seconds"] = floor_eval;
        line["floor"] = products;
      }
      fmt::print("{}\n", line.dump());
      return 0;
    }
    fmt::print("bench_training: glassbox, {}: {}\n", task.name, task.net.describe());
    const std::string reported = glassbox_threads() == 0 ? std::string("this glassbox reports no thread count")
                                                          : fmt::format("glassbox uses up to {}", glassbox_threads());
    fmt::print("  GLASSBOX_THREADS={} ({}; processor/elapsed time shows the cores used)\n",
               threads.empty() ? "(unset)" : threads, reported);
    fmt::print("  train(): {} epoch(s) of {} samples, {} steps: {:.3f} s (processor/elapsed {:.2f})\n",
               task.options.epochs, N, r.steps, r.seconds, r.cpu_seconds / r.seconds);
    fmt::print("  (not included: one evaluation of the training set, which epoch_metrics = evaluate adds to each "
               "epoch: {:.3f} s)\n",
               r.eval_seconds);
    fmt::print("  loss: mean of the batches {:.6f}, training set {:.6f}, test set {:.6f}\n", r.mean_batch_loss,
               r.train_loss, r.test_loss);
    if (probe_host)
      fmt::print("  two threads at once on this machine, around the run (the worse of before and after): {:.2f}× the "
                 "time of one alone in arithmetic, {:.2f}× in a pass over memory (1: two whole cores; 2: one core "
                 "shared)\n",
                 host.arithmetic, host.memory);
    if (!floor.empty()) {
      fmt::print("  GEMM-only floor of the epoch: {:.3f} s for the steps' products, {:.3f} s for the evaluation's\n",
                 floor_steps, floor_eval);
      for (const Product& p : floor)
        fmt::print("    {:<16} {:6.1f} GFLOP/s  {:.3f} s\n", p.name, p.gflops, p.seconds());
    }
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_training: {}\n", e.what());
    return 1;
  }
}
