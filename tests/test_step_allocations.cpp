// Tests that a training step in its steady state allocates nothing: once the shapes have settled
// (a few warm-up steps), train() and train_step() reuse every buffer — the batch, each layer's
// caches, the gradients, the optimizer's updates and state — and make no heap allocation per step.
//
// This executable replaces the global operator new and delete with counting versions, so every
// allocation of the program (the library's, the standard library's) is counted.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "glassbox/train/train.hpp"

namespace {
std::atomic<std::size_t> allocations{0};

void* counted(std::size_t bytes) {
  ++allocations;
  if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
  throw std::bad_alloc();
}

void* counted_aligned(std::size_t bytes, std::align_val_t alignment) {
  ++allocations;
  const auto a = static_cast<std::size_t>(alignment);
  const std::size_t rounded = (bytes + a - 1) / a * a;  // aligned_alloc wants a multiple of the alignment
  if (void* p = std::aligned_alloc(a, rounded == 0 ? a : rounded)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t bytes) { return counted(bytes); }
void* operator new[](std::size_t bytes) { return counted(bytes); }
void* operator new(std::size_t bytes, std::align_val_t a) { return counted_aligned(bytes, a); }
void* operator new[](std::size_t bytes, std::align_val_t a) { return counted_aligned(bytes, a); }
// The nothrow forms too (Catch2 uses one): every form of new must come from the same allocator as
// the deletes below, or a sanitizer rightly reports memory freed by the wrong function.
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return counted(bytes);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return counted(bytes);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new(std::size_t bytes, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return counted_aligned(bytes, a);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t bytes, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return counted_aligned(bytes, a);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

using namespace glassbox;

namespace {

// N = 48 samples of 12 inputs, 4 classes; the network 12 → 16 ReLU → 4 (logits).
constexpr std::size_t kSamples = 48, kInputs = 12, kClasses = 4;

struct Data {
  Matrix X, labels, one_hot;  // labels: (N×1) class indices; one_hot: (N×K)
};

Data make_data() {
  Rng rng(5);
  Data d{Matrix::uniform(kSamples, kInputs, rng, -1, 1), Matrix(kSamples, 1), Matrix(kSamples, kClasses)};
  for (std::size_t n = 0; n < kSamples; ++n) {
    const std::size_t k = n % kClasses;
    d.labels(n, 0) = static_cast<Scalar>(k);
    d.one_hot(n, k) = 1;
  }
  return d;
}

Network make_network() {
  Rng rng(6);
  Network net;
  net.dense(kInputs, 16, rng).activation("relu").dense(16, kClasses, rng);
  return net;
}

// The allocations made between one batch's callback and the next, for every batch after the
// first epoch (the warm-up: the first steps size the buffers).
std::vector<std::size_t> allocations_per_step(const Loss& loss, Optimizer& optimizer, const Matrix& T,
                                              Tracer& tracer, bool classification) {
  const Data d = make_data();
  Network net = make_network();
  Rng rng(7);
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 8;  // 6 steps per epoch
  options.classification = classification;
  std::vector<std::size_t> per_step;
  std::size_t before = 0;
  options.on_batch = [&](const BatchStats& b) {
    const std::size_t now = allocations.load();
    // from the second batch of an epoch after the first: only the step in between was counted
    if (b.epoch > 1 && b.batch > 1) per_step.push_back(now - before);
    before = allocations.load();
  };
  train(net, loss, optimizer, d.X, T, rng, options, tracer);
  return per_step;
}

}  // namespace

TEST_CASE("the counting operator new counts: a vector's buffer is one allocation", "[train]") {
  // The checker must see an allocation when there is one, or "zero" below would prove nothing.
  const std::size_t before = allocations.load();
  std::vector<double> v(100);
  v[3] = 1;
  CHECK(allocations.load() - before == 1);
  CHECK(v[3] == 1);
  auto* one = new double(2.0);
  CHECK(allocations.load() - before == 2);
  delete one;
}

TEST_CASE("train(): a steady-state step allocates nothing (Dense + ReLU + softmax cross-entropy, SGD)", "[train]") {
  const Data d = make_data();
  SGD sgd(0.1);
  const auto steps = allocations_per_step(SoftmaxCrossEntropy(), sgd, d.one_hot, Tracer::none(), false);
  REQUIRE(steps.size() == 2 * 5);  // epochs 2 and 3, batches 2 … 6
  for (std::size_t n : steps) CHECK(n == 0);
}

TEST_CASE("train(): a steady-state step allocates nothing (sparse softmax cross-entropy, Adam, accuracy)", "[train]") {
  const Data d = make_data();
  Adam adam;
  const auto steps = allocations_per_step(SparseSoftmaxCrossEntropy(), adam, d.labels, Tracer::none(), true);
  REQUIRE(steps.size() == 2 * 5);
  for (std::size_t n : steps) CHECK(n == 0);
}

TEST_CASE("train(): tracing at level summary adds no allocation to a step", "[train]") {
  const auto path = std::filesystem::temp_directory_path() / "glassbox_step_allocations_summary.json";
  const Data d = make_data();
  SGD sgd(0.1, SGDSettings{0.9, 0, false, 0});  // with momentum: its state is reused too
  {
    Tracer tracer(path, TraceLevel::summary, TraceHeader{"test_step_allocations", 0, 7, Json::object(), ""});
    const auto steps = allocations_per_step(SoftmaxCrossEntropy(), sgd, d.one_hot, tracer, true);
    REQUIRE(steps.size() == 2 * 5);
    for (std::size_t n : steps) CHECK(n == 0);
  }
  std::filesystem::remove(path);
}

TEST_CASE("train_step(): repeated on one batch, nothing is allocated after the warm-up", "[train]") {
  const Data d = make_data();
  Network net = make_network();
  Adam adam;
  const SparseSoftmaxCrossEntropy loss;
  for (std::size_t s = 1; s <= 3; ++s) train_step(net, loss, adam, d.X, d.labels, {1, s});
  const std::size_t before = allocations.load();
  for (std::size_t s = 4; s <= 8; ++s) train_step(net, loss, adam, d.X, d.labels, {1, s});
  CHECK(allocations.load() - before == 0);
}

TEST_CASE("the checks for non-finite numbers still name the first one", "[train]") {
  Data d = make_data();
  const SoftmaxCrossEntropy loss;
  SECTION("a NaN in the input: ReLU maps it to 0 in the forward pass, dL/dW = dZᵀ·X carries it") {
    Network net = make_network();
    SGD sgd(0.1);
    for (std::size_t s = 1; s <= 3; ++s) train_step(net, loss, sgd, d.X, d.one_hot, {1, s});
    d.X(2, 5) = std::numeric_limits<double>::quiet_NaN();
    // dW(j, 5) = Σ_n dZ(n, j)·X(n, 5): every unit j sees sample 2's NaN, so row 0 is the first
    CHECK_THROWS_WITH(train_step(net, loss, sgd, d.X, d.one_hot, {1, 4}),
                      "epoch 1, step 4: backward: dL/dW of layers[0] (Dense(12→16)): element (0, 5) is nan");
  }
  SECTION("the same NaN with Adam, whose update carries it into θ: the same message") {
    Network net = make_network();
    Adam adam;
    for (std::size_t s = 1; s <= 3; ++s) train_step(net, loss, adam, d.X, d.one_hot, {1, s});
    d.X(2, 5) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(train_step(net, loss, adam, d.X, d.one_hot, {1, 4}),
                      "epoch 1, step 4: backward: dL/dW of layers[0] (Dense(12→16)): element (0, 5) is nan");
  }
  SECTION("the same NaN with an optimizer whose update swallows it: the gradients are searched anyway") {
    struct SignSGD final : Optimizer {
      SignSGD() : Optimizer(0.01) {}
      std::string describe() const override { return "SignSGD"; }
      std::unique_ptr<Optimizer> clone() const override { return std::make_unique<SignSGD>(*this); }
      void compute_update(std::size_t, const Matrix&, const Matrix& grad, Matrix& delta) override {
        for (std::size_t k = 0; k < grad.size(); ++k)  // sign(NaN) = 0 here: θ stays finite
          delta.data()[k] = grad.data()[k] > 0 ? -learning_rate() : grad.data()[k] < 0 ? learning_rate() : 0.0;
      }
    };
    Network net = make_network();
    SignSGD sign_sgd;
    d.X(2, 5) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(train_step(net, loss, sign_sgd, d.X, d.one_hot, {1, 1}),
                      "epoch 1, step 1: backward: dL/dW of layers[0] (Dense(12→16)): element (0, 5) is nan");
  }
  SECTION("θ overflowing in SGD's one-pass update (checked as it is written)") {
    Network net = make_network();
    // g = dθ + λθ with λ = 10³⁰⁸ is about 10³⁰⁷·θ; η·g with η = 10¹⁰ overflows to ±inf
    SGD sgd(1e10, SGDSettings{0, 0, false, 1e308});
    CHECK_THROWS_WITH(train_step(net, loss, sgd, d.X, d.one_hot, {1, 1}),
                      Catch::StartsWith("epoch 1, step 1: layers[0].W after the update of SGD(") &&
                          Catch::Contains(": element (0, 0) is "));
  }
  SECTION("θ overflowing in an optimizer's default update (AdamW's decay)") {
    Network net = make_network();
    // θ ← θ − η·λ·θ with η·λ = 10⁶⁰⁰ = inf: every θ ≠ 0 becomes ±inf
    AdamW adamw(AdamWSettings{1e300, {0.9, 0.999}, 1e-8, 1e300, false});
    CHECK_THROWS_WITH(train_step(net, loss, adamw, d.X, d.one_hot, {1, 1}),
                      Catch::StartsWith("epoch 1, step 1: layers[0].W after the update of AdamW(") &&
                          Catch::Contains(": element (0, 0) is "));
  }
}
