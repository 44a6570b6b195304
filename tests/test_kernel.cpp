// Tests for glassbox/core/kernel.hpp: every SIMD width and every thread count computes the bits of the
// textbook loop, C(i, j) = (…((C(i, j) + A(i,0)·B(0,j)) + A(i,1)·B(1,j)) + …) + A(i,k−1)·B(k−1,j),
// written out below (textbook_gemm) rather than copied from the kernel's output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "glassbox/core/kernel.hpp"
#include "glassbox/core/random.hpp"

using namespace glassbox;
using kernel::Strided;
using kernel::Width;

namespace {

// An (rows×cols) operand stored one of four ways, read through kernel::Strided.
enum class Layout { row_major, transposed, padded, spread };

struct Operand {
  std::vector<Scalar> storage;
  Strided view{nullptr, 0, 0};
};

Operand make_operand(std::size_t rows, std::size_t cols, Layout layout, Rng& rng) {
  Operand o;
  switch (layout) {
    case Layout::row_major:  // strides (cols, 1)
      o.storage.resize(rows * cols);
      o.view = {nullptr, cols, 1};
      break;
    case Layout::transposed:  // stored as its (cols×rows) transpose, read in place: strides (1, rows)
      o.storage.resize(rows * cols);
      o.view = {nullptr, 1, rows};
      break;
    case Layout::padded:  // a block of a wider matrix: rows cols+3 apart
      o.storage.resize(rows * (cols + 3));
      o.view = {nullptr, cols + 3, 1};
      break;
    case Layout::spread:  // every other element of every other row: neither stride is 1
      o.storage.resize(rows * cols * 4 + 1);
      o.view = {nullptr, 4 * cols, 2};
      break;
  }
  for (auto& x : o.storage) x = rng.uniform(-1, 1);
  o.view.data = o.storage.data();
  return o;
}

// The textbook loop: each element from its value in C, the terms added one at a time, p increasing.
void textbook_gemm(std::size_t n, std::size_t m, std::size_t k, Strided a, Strided b, Scalar* c) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      Scalar s = c[i * m + j];
      for (std::size_t p = 0; p < k; ++p) s += a(i, p) * b(p, j);
      c[i * m + j] = s;
    }
}

bool same_bits(const std::vector<Scalar>& x, const std::vector<Scalar>& y) {
  // (memcmp must not be given the null data() of an empty vector, even for 0 bytes)
  return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(Scalar)) == 0);
}

std::vector<Scalar> random_c(std::size_t n, std::size_t m, Rng& rng) {
  std::vector<Scalar> c(n * m);
  for (auto& x : c) x = rng.uniform(-1, 1);  // C += A·B starts from these
  return c;
}

constexpr Layout kLayouts[] = {Layout::row_major, Layout::transposed, Layout::padded, Layout::spread};

// A product above kParallelWork, for the tests of products called from several places at once,
// with the textbook loop's result from C = 0.
struct ProductTask {
  std::size_t n, m, k;
  Operand a, b;
  std::vector<Scalar> expected;
};
ProductTask product_task(std::uint64_t seed) {
  constexpr std::size_t n = 64, k = 200, m = 96;
  Rng rng(seed);
  ProductTask task{n, m, k, make_operand(n, k, Layout::row_major, rng), make_operand(k, m, Layout::row_major, rng),
                   std::vector<Scalar>(n * m, 0.0)};
  textbook_gemm(n, m, k, task.a.view, task.b.view, task.expected.data());
  return task;
}

}  // namespace

TEST_CASE("the widest available width is the default, and every name reads back", "[kernel]") {
  const auto widths = kernel::available_widths();
  REQUIRE_FALSE(widths.empty());
  CHECK(std::is_sorted(widths.begin(), widths.end()));
  if (!std::getenv("GLASSBOX_SIMD")) CHECK(kernel::width() == widths.back());
  for (Width w : {Width::scalar, Width::sse2, Width::avx2, Width::avx512})
    CHECK(kernel::parse_width(kernel::width_name(w)) == w);
  CHECK_FALSE(kernel::parse_width("neon"));
  CHECK_FALSE(kernel::parse_width(""));
}

TEST_CASE("a width this processor cannot run is refused, naming the ones it can", "[kernel]") {
  const auto widths = kernel::available_widths();
  // Four widths exist and no build carries all four (scalar only where the others are not), so one
  // is always missing.
  std::vector<Width> missing;
  for (Width w : {Width::scalar, Width::sse2, Width::avx2, Width::avx512})
    if (std::find(widths.begin(), widths.end(), w) == widths.end()) missing.push_back(w);
  REQUIRE_FALSE(missing.empty());
  const Width before = kernel::width();
  for (Width w : missing) {
    CHECK_THROWS_WITH(kernel::set_width(w), Catch::Contains("not available") &&
                                                Catch::Contains(std::string(kernel::width_name(widths.front()))));
    CHECK(kernel::width() == before);
  }
}

TEST_CASE("thread counts outside 1 to kMaxThreads are refused", "[kernel]") {
  const std::size_t before = kernel::threads();
  CHECK(before >= 1);
  CHECK_THROWS_WITH(kernel::set_threads(0), Catch::Contains("from 1 to 256") && Catch::Contains("not 0"));
  CHECK_THROWS_WITH(kernel::set_threads(kernel::kMaxThreads + 1), Catch::Contains("not 257"));
  CHECK(kernel::threads() == before);
  kernel::set_threads(3);
  CHECK(kernel::threads() == 3);
}

TEST_CASE("every SIMD width gives the textbook loop's bits", "[kernel]") {
  kernel::set_threads(1);
  // Every edge of the tiling and blocking: 1×1, odd and prime sizes, partial tiles, several blocks
  // of k (> 256), of rows (> 96) and of columns (> 2048), and the MLP's shapes.
  const std::tuple<std::size_t, std::size_t, std::size_t> shapes[] = {
      {1, 1, 1},     {5, 7, 3},     {1, 1000, 1},  {17, 1, 19},   {33, 300, 270},  {9, 130, 513},
      {100, 259, 131}, {97, 17, 31}, {3, 600, 2100}, {32, 784, 128}, {128, 32, 784}, {32, 128, 10}};
  Rng rng(11);
  std::size_t shape_index = 0;
  for (auto [n, k, m] : shapes) {
    for (std::size_t l = 0; l < 4; ++l) {
      // A in each layout, B in the next one along: every layout of each operand, several pairs.
      const Layout a_layout = kLayouts[l], b_layout = kLayouts[(l + shape_index) % 4];
      const Operand a = make_operand(n, k, a_layout, rng), b = make_operand(k, m, b_layout, rng);
      const std::vector<Scalar> c0 = random_c(n, m, rng);
      std::vector<Scalar> expected = c0;
      textbook_gemm(n, m, k, a.view, b.view, expected.data());
      for (Width w : kernel::available_widths()) {
        INFO(n << "×" << k << " · " << k << "×" << m << ", layouts " << l << ", " << (l + shape_index) % 4
               << ", width " << kernel::width_name(w));
        kernel::set_width(w);
        std::vector<Scalar> c = c0;
        kernel::gemm(n, m, k, a.view, b.view, c.data());
        CHECK(same_bits(c, expected));
      }
    }
    ++shape_index;
  }
}

TEST_CASE("one to eight threads give the textbook loop's bits", "[kernel]") {
  // Above kParallelWork, so the products are split: by columns where m ≥ n, by rows otherwise,
  // into blocks that do not divide evenly (m = 130, n = 203).
  // Slices share the operand packed whole: several blocks of it (n > 96 rows and k > 256 cut by
  // columns; m > 2048 columns cut by rows); one too large to pack whole (17×32769 · 32769×16), cut
  // into one slice per thread. Eight threads outnumber this machine's processors, so slices are
  // taken over.
  const std::tuple<std::size_t, std::size_t, std::size_t> shapes[] = {
      {32, 784, 128}, {128, 32, 784}, {203, 300, 50}, {33, 300, 130}, {5, 1000, 3000},
      {100, 300, 259}, {2200, 8, 2100}, {17, 32769, 16}};
  Rng rng(12);
  for (auto [n, k, m] : shapes) {
    REQUIRE(n * m * k >= kernel::kParallelWork);
    const Operand a = make_operand(n, k, Layout::row_major, rng), b = make_operand(k, m, Layout::transposed, rng);
    const std::vector<Scalar> c0 = random_c(n, m, rng);
    std::vector<Scalar> expected = c0;
    textbook_gemm(n, m, k, a.view, b.view, expected.data());
    for (Width w : kernel::available_widths())
      for (std::size_t threads : {1, 2, 3, 4, 8}) {
        INFO(n << "×" << k << " · " << k << "×" << m << ", width " << kernel::width_name(w) << ", " << threads
               << " threads");
        kernel::set_width(w);
        kernel::set_threads(threads);
        std::vector<Scalar> c = c0;
        kernel::gemm(n, m, k, a.view, b.view, c.data());
        CHECK(same_bits(c, expected));
      }
  }
}

TEST_CASE("products called from several threads at once give the textbook loop's bits", "[kernel]") {
  // One caller gets the pool, the others compute on their own threads; none waits for another.
  kernel::set_threads(2);
  const ProductTask task = product_task(13);
  const auto& [n, m, k, a, b, expected] = task;
  constexpr int kCallers = 4, kRepeats = 20;
  std::vector<int> wrong(kCallers, 0);
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t)
    callers.emplace_back([&, t] {
      for (int r = 0; r < kRepeats; ++r) {
        std::vector<Scalar> c(n * m, 0.0);
        kernel::gemm(n, m, k, a.view, b.view, c.data());
        if (!same_bits(c, expected)) ++wrong[t];
      }
    });
  for (auto& t : callers) t.join();
  for (int t = 0; t < kCallers; ++t) CHECK(wrong[t] == 0);
}

TEST_CASE("a product with n, m or k zero leaves C as it was", "[kernel]") {
  // k = 0: C += (an empty sum) = C.
  std::vector<Scalar> c{1.5, -2.0};
  const Scalar one = 1;
  kernel::gemm(1, 2, 0, Strided{&one, 1, 1}, Strided{&one, 1, 1}, c.data());
  CHECK(c == std::vector<Scalar>{1.5, -2.0});
  kernel::gemm(0, 2, 3, Strided{&one, 1, 1}, Strided{&one, 1, 1}, c.data());
  CHECK(c == std::vector<Scalar>{1.5, -2.0});
}

TEST_CASE("overwriting C gives the bits of zeroing it and adding, whatever C held", "[kernel]") {
  // C starts as NaN, which must not be read; sums that come to −0 must come out +0, as 0 + (−0) does.
  const std::tuple<std::size_t, std::size_t, std::size_t> shapes[] = {
      {5, 7, 3}, {17, 300, 19}, {128, 32, 784}, {32, 784, 128}, {9, 0, 13}};
  Rng rng(14);
  for (auto [n, k, m] : shapes) {
    Operand a = make_operand(n, k, Layout::transposed, rng), b = make_operand(k, m, Layout::row_major, rng);
    if (k > 0) {  // row 0 of A: −1, 0, 0, …; column 0 of B: 0, …: A(0, ·)·B(·, 0) = −0 + 0·… = −0 term by term
      for (std::size_t p = 0; p < k; ++p) a.storage[p * n] = p == 0 ? -1.0 : 0.0;
      for (std::size_t p = 0; p < k; ++p) b.storage[p * m] = p == 0 ? 0.0 : -0.0;
    }
    std::vector<Scalar> expected(n * m, 0.0);
    textbook_gemm(n, m, k, a.view, b.view, expected.data());
    if (k > 0) REQUIRE_FALSE(std::signbit(expected[0]));
    for (Width w : kernel::available_widths())
      for (std::size_t threads : {1, 2, 3})
        for (kernel::Split split : {kernel::Split::automatic, kernel::Split::rows}) {
          INFO(n << "×" << k << " · " << k << "×" << m << ", width " << kernel::width_name(w) << ", " << threads
                 << " threads, split " << (split == kernel::Split::rows ? "rows" : "automatic"));
          kernel::set_width(w);
          kernel::set_threads(threads);
          std::vector<Scalar> c(n * m, std::numeric_limits<Scalar>::quiet_NaN());
          kernel::gemm(n, m, k, a.view, b.view, c.data(), kernel::Into::overwrite, split);
          CHECK(same_bits(c, expected));
          std::vector<Scalar> added = random_c(n, m, rng), added_expected = added;  // and adding, split by rows
          textbook_gemm(n, m, k, a.view, b.view, added_expected.data());
          kernel::gemm(n, m, k, a.view, b.view, added.data(), kernel::Into::add, split);
          CHECK(same_bits(added, added_expected));
        }
  }
}

TEST_CASE("parallel_for covers every index once, in slices of whole units, each slice on one thread", "[kernel]") {
  // Each thread's block is cut into up to kSlices slices; a slice runs on whichever thread takes it
  // first, the caller taking the first one. So: every index once, slices of whole units (the last
  // may be cut short), each slice on one thread, at least one slice per thread that has a block and
  // at most kSlices.
  for (std::size_t threads : {1, 2, 3, 4}) {
    kernel::set_threads(threads);
    for (std::size_t count : {1u, 7u, 100u, 100352u})
      for (std::size_t unit : {1u, 16u, 12544u}) {
        INFO(threads << " threads, count " << count << ", unit " << unit);
        std::vector<int> seen(count, 0);
        std::vector<std::pair<std::size_t, std::size_t>> slices;
        std::mutex slices_mutex;
        std::vector<std::thread::id> owner(count);
        kernel::parallel_for(count, unit, kernel::kParallelWork, [&](std::size_t begin, std::size_t end) {
          for (std::size_t i = begin; i < end; ++i) {
            ++seen[i];
            owner[i] = std::this_thread::get_id();
          }
          std::lock_guard lock(slices_mutex);
          slices.emplace_back(begin, end);
        });
        CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
        const std::size_t units = (count + unit - 1) / unit, blocks = std::min(threads, units);
        CHECK(slices.size() >= blocks);
        CHECK(slices.size() <= blocks * kernel::kSlices);
        for (auto [begin, end] : slices) {
          CHECK(begin < end);
          CHECK(begin % unit == 0);
          CHECK((end % unit == 0 || end == count));
          CHECK(std::all_of(owner.begin() + begin, owner.begin() + end, [&](auto id) { return id == owner[begin]; }));
        }
        CHECK(owner[0] == std::this_thread::get_id());
      }
  }
}

TEST_CASE("parallel_for: the slices a slow thread has not started are run by the others", "[kernel]") {
  // Two threads, 8 items of one unit each: block 0 (items 0–3) is the caller's, block 1 (items 4–7)
  // the worker's, four slices each. A slice takes the caller 20 ms — time for the worker to start
  // its block — and the worker 500 ms, as if the machine had lent its processor elsewhere: the
  // caller runs its own four slices, then the worker's from the last (7, 6, 5), instead of waiting.
  kernel::set_threads(2);
  const auto caller = std::this_thread::get_id();
  std::vector<std::thread::id> owner(8);
  kernel::parallel_for(8, 1, kernel::kParallelWork, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) owner[i] = std::this_thread::get_id();
    const bool slow = std::this_thread::get_id() != caller;
    std::this_thread::sleep_for(std::chrono::milliseconds(slow ? 500 : 20));
  });
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 7u}) {
    INFO("item " << i);
    CHECK(owner[i] == caller);
  }
}

TEST_CASE("parallel_for keeps small loops on the caller, in one call", "[kernel]") {
  kernel::set_threads(4);
  std::vector<std::pair<std::size_t, std::size_t>> blocks;
  std::thread::id where;
  // 1000 items of work 100: 10⁵ < kParallelWork
  kernel::parallel_for(1000, 1, 100, [&](std::size_t begin, std::size_t end) {
    blocks.emplace_back(begin, end);
    where = std::this_thread::get_id();
  });
  CHECK(blocks == std::vector<std::pair<std::size_t, std::size_t>>{{0, 1000}});
  CHECK(where == std::this_thread::get_id());
  int calls = 0;
  kernel::parallel_for(0, 1, kernel::kParallelWork, [&](std::size_t, std::size_t) { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("a product inside a parallel_for block runs on that block's thread, with the textbook's bits", "[kernel]") {
  // The pool is busy with the loop, so each block's product is computed by its own thread alone.
  kernel::set_threads(2);
  const ProductTask task = product_task(15);
  const auto& [n, m, k, a, b, expected] = task;
  std::vector<std::vector<Scalar>> results(2, std::vector<Scalar>(n * m, 0.0));
  kernel::parallel_for(2, 1, kernel::kParallelWork, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) kernel::gemm(n, m, k, a.view, b.view, results[i].data());
  });
  for (const auto& c : results) CHECK(same_bits(c, expected));
}

// ---- BackgroundLoop -------------------------------------------------------------------------------

namespace {

// A background loop's record: how often each index ran, on which thread, and its slices.
struct LoopRecord {
  explicit LoopRecord(std::size_t count) : seen(count), owner(count) {}
  std::vector<std::atomic<int>> seen;
  std::vector<std::thread::id> owner;
  std::vector<std::pair<std::size_t, std::size_t>> slices;
  std::mutex mutex;
  void operator()(std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      ++seen[i];
      owner[i] = std::this_thread::get_id();
    }
    std::lock_guard lock(mutex);
    slices.emplace_back(begin, end);
  }
  bool each_once() const {
    return std::all_of(seen.begin(), seen.end(), [](const std::atomic<int>& s) { return s.load() == 1; });
  }
};

}  // namespace

TEST_CASE("a background loop runs every index once, in slices of whole units, by the time finish() returns", "[kernel]") {
  const ProductTask task = product_task(3);
  const auto& [n, m, k, a, b, expected] = task;
  for (std::size_t threads : {1, 2, 3, 8})
    for (std::size_t count : {0u, 1u, 7u, 100u, 4099u})
      for (std::size_t unit : {1u, 16u, 5000u}) {
        INFO(threads << " threads, count " << count << ", unit " << unit);
        kernel::set_threads(threads);
        LoopRecord record(count);
        kernel::BackgroundLoop loop;
        loop.start(count, unit, record);
        // the caller goes on meanwhile, with products of its own on the same threads
        std::vector<Scalar> c(n * m, 0.0);
        kernel::gemm(n, m, k, a.view, b.view, c.data());
        CHECK(same_bits(c, expected));
        loop.finish();
        CHECK(record.each_once());
        CHECK(record.slices.size() == (count + unit - 1) / unit);
        for (auto [begin, end] : record.slices) {
          CHECK(begin < end);
          CHECK(begin % unit == 0);
          CHECK((end - begin == unit || end == count));
        }
        loop.finish();  // again: nothing left to run
        CHECK(record.each_once());
      }
}

TEST_CASE("a background loop's slices are run by the other threads while the caller goes on", "[kernel]") {
  // The caller starts the loop and then only waits: with two threads the worker runs slices meanwhile
  // (with one, nothing runs before finish(), on the caller).
  for (std::size_t threads : {1, 2}) {
    INFO(threads << " threads");
    kernel::set_threads(threads);
    LoopRecord record(64);
    kernel::BackgroundLoop loop;
    loop.start(64, 4, record);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (threads > 1 && record.seen[63].load() == 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const std::size_t ran_before_finish =
        static_cast<std::size_t>(std::count_if(record.seen.begin(), record.seen.end(), [](auto& s) { return s.load() > 0; }));
    loop.finish();
    CHECK(record.each_once());
    const auto caller = std::this_thread::get_id();
    if (threads == 1) {
      CHECK(ran_before_finish == 0);
      CHECK(std::all_of(record.owner.begin(), record.owner.end(), [&](auto id) { return id == caller; }));
    } else {
      CHECK(ran_before_finish == 64);
      CHECK(std::none_of(record.owner.begin(), record.owner.end(), [&](auto id) { return id == caller; }));
    }
  }
}

TEST_CASE("a background loop: what the worker has not started, finish() runs on the caller", "[kernel]") {
  // Each slice takes the worker 300 ms: when the caller calls finish(), the worker is inside its
  // first slice, and the caller runs the other seven meanwhile rather than wait for it.
  kernel::set_threads(2);
  const auto caller = std::this_thread::get_id();
  std::vector<std::thread::id> owner(8);
  std::atomic<int> started{0};
  auto body = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) owner[i] = std::this_thread::get_id();
    if (std::this_thread::get_id() != caller) {
      ++started;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  };
  kernel::BackgroundLoop loop;
  loop.start(8, 1, body);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (started.load() == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  loop.finish();
  CHECK(started.load() == 1);
  CHECK(std::count(owner.begin(), owner.end(), caller) == 7);
  CHECK(owner[0] != caller);
}

TEST_CASE("a background loop survives the pool being remade, and a second start finishes the first", "[kernel]") {
  kernel::set_threads(2);
  LoopRecord first(1000), second(1000);
  {
    kernel::BackgroundLoop loop;
    loop.start(1000, 1, first);
    kernel::set_threads(3);  // the next product remakes the pool, taking the offer back
    const ProductTask task = product_task(15);
    const auto& [n, m, k, a, b, expected] = task;
    std::vector<Scalar> c(n * m, 0.0);
    kernel::gemm(n, m, k, a.view, b.view, c.data());
    CHECK(same_bits(c, expected));
    loop.start(1000, 1, second);  // finishes the first loop
    CHECK(first.each_once());
  }  // the destructor finishes the second
  CHECK(second.each_once());
}

TEST_CASE("the optimizer's step gives the element-by-element loop's bits at every width", "[kernel]") {
  // Δθ = s·g, θ ← θ + Δθ, and whether every new θ is finite; with signed zeros (s = −0, as −η with
  // η = 0; θ = −0 plus Δθ = −0), NaN and ±Inf among the numbers, and lengths that leave a tail.
  const Scalar inf = std::numeric_limits<Scalar>::infinity(), nan = std::numeric_limits<Scalar>::quiet_NaN();
  Rng rng(16);
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 17u, 100u})
    for (Scalar s : {-0.01, -0.0, -1e300})
      for (int special = 0; special < 4; ++special) {
        std::vector<Scalar> g(n), theta0(n);
        for (std::size_t k = 0; k < n; ++k) {
          g[k] = rng.uniform(-1, 1);
          theta0[k] = rng.uniform(-1, 1);
        }
        if (n > 0 && special == 1) {  // zeros of both signs
          g[0] = 0.0;
          theta0[0] = -0.0;
          g[n - 1] = -0.0;
        }
        if (n > 0 && special == 2) g[n / 2] = nan;
        if (n > 0 && special == 3) g[n - 1] = -inf;
        std::vector<Scalar> expected_delta(n), expected_theta = theta0;
        bool expected_finite = true;
        for (std::size_t k = 0; k < n; ++k) {
          expected_delta[k] = s * g[k];
          expected_theta[k] += expected_delta[k];
          expected_finite = expected_finite && std::isfinite(expected_theta[k]);
        }
        for (Width w : kernel::available_widths()) {
          INFO("n " << n << ", s " << s << ", case " << special << ", width " << kernel::width_name(w));
          kernel::set_width(w);
          std::vector<Scalar> delta(n, 7.0), theta = theta0;
          CHECK(kernel::scaled_step(s, g.data(), delta.data(), theta.data(), n) == expected_finite);
          CHECK(same_bits(delta, expected_delta));
          CHECK(same_bits(theta, expected_theta));
        }
      }
}
