// bench_matmul — how fast are glassbox's matrix products?
//
// Prints GFLOP/s (2·n·k·m floating-point operations per product, divided by the time it takes) of
// the three products the course uses — C = A·B, A·Bᵀ and Aᵀ·B — for square matrices and for the
// shapes of a 784→128→10 MLP on a mini-batch of 32, computed four ways:
//   glassbox   matmul_into / matmul_abt_into / matmul_atb_into (lib/src/core/matrix.cpp, the kernel in
//              kernel.cpp), once per SIMD width this processor runs (forced with kernel::set_width)
//   naive      the i-j-k triple loop a learner writes first: C(i, j) = Σ_k A(i, k)·B(k, j)
//   Eigen      Eigen 3 products over the same row-major data      (when libeigen3-dev is installed)
//   OpenBLAS   cblas_dgemm                                         (when libopenblas-dev is installed)
// First everything on one thread, then glassbox and OpenBLAS on --threads N (default: every core).
// Each cell repeats the product until a run lasts about 10 ms and reports the best of many runs
// (≥ 0.25 s in all per cell; short runs let the best one dodge interruptions by other programs).
// Every result is checked against glassbox's before it is timed (glassbox's, at every width and thread
// count, bit for bit), and the last line is a digest of glassbox's results: it must be the same for
// every build.
//
// Run: scripts/bench   (or build/release/bin/bench_matmul [--quick] [--threads N])
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "glassbox/core/kernel.hpp"
#include "glassbox/core/matrix.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/core/table.hpp"
#include "timing.hpp"

#ifdef GLASSBOX_BENCH_EIGEN
#include <Eigen/Core>
#endif
#ifdef GLASSBOX_BENCH_OPENBLAS
#include <cblas.h>
#endif

using namespace glassbox;
using glassbox::bench::best_seconds;
using glassbox::bench::Timing;

namespace {

// Which product: C = A·B, A·Bᵀ or Aᵀ·B. C is (n×m) and k is the summed dimension in every case.
enum class Product { ab, abt, atb };

struct Case {
  std::string name;  // what the product is in the course
  Product product;
  std::size_t n, k, m;
};

// The operands' shapes: A·B needs A:(n×k) B:(k×m); A·Bᵀ needs B:(m×k); Aᵀ·B needs A:(k×n).
Matrix make_a(const Case& c, Rng& rng) {
  if (c.product == Product::atb) return Matrix::uniform(c.k, c.n, rng, -1, 1);
  return Matrix::uniform(c.n, c.k, rng, -1, 1);
}
Matrix make_b(const Case& c, Rng& rng) {
  if (c.product == Product::abt) return Matrix::uniform(c.m, c.k, rng, -1, 1);
  return Matrix::uniform(c.k, c.m, rng, -1, 1);
}

std::string formula(const Case& c, const Matrix& a, const Matrix& b) {
  switch (c.product) {
    case Product::ab: return fmt::format("{}·{}", a.shape(), b.shape());
    case Product::abt: return fmt::format("{}·{}ᵀ", a.shape(), b.shape());
    case Product::atb: return fmt::format("{}ᵀ·{}", a.shape(), b.shape());
  }
  return {};
}

using Kernel = std::function<void(Matrix& out, const Matrix& a, const Matrix& b, const Case& c)>;

void run_glassbox(Matrix& out, const Matrix& a, const Matrix& b, const Case& c) {
  switch (c.product) {
    case Product::ab: matmul_into(out, a, b); break;
    case Product::abt: matmul_abt_into(out, a, b); break;
    case Product::atb: matmul_atb_into(out, a, b); break;
  }
}

// The textbook loop on the same row-major storage, one dot product per output element.
void run_naive(Matrix& out, const Matrix& a, const Matrix& b, const Case& c) {
  const Scalar* pa = a.data();
  const Scalar* pb = b.data();
  Scalar* pc = out.data();
  const std::size_t n = c.n, k = c.k, m = c.m;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      Scalar s = 0;
      switch (c.product) {
        case Product::ab:
          for (std::size_t p = 0; p < k; ++p) s += pa[i * k + p] * pb[p * m + j];
          break;
        case Product::abt:
          for (std::size_t p = 0; p < k; ++p) s += pa[i * k + p] * pb[j * k + p];
          break;
        case Product::atb:
          for (std::size_t p = 0; p < k; ++p) s += pa[p * n + i] * pb[p * m + j];
          break;
      }
      pc[i * m + j] = s;
    }
}

#ifdef GLASSBOX_BENCH_EIGEN
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMajor>;

void run_eigen(Matrix& out, const Matrix& a, const Matrix& b, const Case& c) {
  const auto rows = [](const Matrix& x) { return static_cast<Eigen::Index>(x.rows()); };
  const auto cols = [](const Matrix& x) { return static_cast<Eigen::Index>(x.cols()); };
  ConstMap ea(a.data(), rows(a), cols(a)), eb(b.data(), rows(b), cols(b));
  Eigen::Map<RowMajor> ec(out.data(), rows(out), cols(out));
  switch (c.product) {
    case Product::ab: ec.noalias() = ea * eb; break;
    case Product::abt: ec.noalias() = ea * eb.transpose(); break;
    case Product::atb: ec.noalias() = ea.transpose() * eb; break;
  }
}
#endif

#ifdef GLASSBOX_BENCH_OPENBLAS
void run_openblas(Matrix& out, const Matrix& a, const Matrix& b, const Case& c) {
  const auto n = static_cast<int>(c.n), k = static_cast<int>(c.k), m = static_cast<int>(c.m);
  const auto ta = c.product == Product::atb ? CblasTrans : CblasNoTrans;
  const auto tb = c.product == Product::abt ? CblasTrans : CblasNoTrans;
  cblas_dgemm(CblasRowMajor, ta, tb, n, m, k, 1.0, a.data(), static_cast<int>(a.cols()), b.data(),
              static_cast<int>(b.cols()), 0.0, out.data(), m);
}
#endif

// FNV-1a over the bits of a matrix: equal digests mean bit-identical results.
std::uint64_t digest(std::uint64_t h, const Matrix& m) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(m.data());
  for (std::size_t i = 0; i < m.size() * sizeof(Scalar); ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
  return h;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

bool same_bits(const Matrix& x, const Matrix& y) {
  return x.same_shape(y) && std::memcmp(x.data(), y.data(), x.size() * sizeof(Scalar)) == 0;
}

struct Contender {
  std::string name;
  Kernel kernel;
  std::function<void()> setup;  // the width and thread count it runs with
  bool glassbox = false;        // must give the reference's bits exactly
};

// One table: every case, every contender, GFLOP/s. Returns false (having said why) when a result is
// wrong.
bool measure(const std::vector<Case>& cases, const std::vector<Contender>& contenders, const Timing& timing,
             std::uint64_t& bits) {
  std::vector<std::string> headers{"product", "shapes"};
  for (const auto& c : contenders) headers.push_back(c.name);
  Table table(headers);
  Rng rng(1);
  bits = 0xcbf29ce484222325ULL;
  for (const Case& c : cases) {
    const Matrix a = make_a(c, rng), b = make_b(c, rng);
    Matrix reference;
    kernel::set_width(kernel::available_widths().back());
    kernel::set_threads(1);
    run_glassbox(reference, a, b, c);
    bits = digest(bits, reference);
    std::vector<std::string> row{c.name, formula(c, a, b)};
    for (const auto& contender : contenders) {
      contender.setup();
      Matrix out(c.n, c.m);
      contender.kernel(out, a, b, c);
      if (contender.glassbox ? !same_bits(out, reference) : !approx_equal(out, reference, 1e-9, 1e-9)) {
        fmt::print(stderr, "bench_matmul: {} disagrees with glassbox on {} (max |difference| {})\n",
                   contender.name, c.name, max_abs_diff(out, reference));
        return false;
      }
      const double seconds = best_seconds([&] { contender.kernel(out, a, b, c); }, timing);
      const double flops = 2.0 * static_cast<double>(c.n * c.k * c.m);
      row.push_back(fmt::format("{:.2f}", flops / seconds / 1e9));
    }
    table.add_row(row);
    fmt::print(stderr, "  measured: {}\n", c.name);
  }
  fmt::print("{}\n", table.render());
  std::fflush(stdout);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Timing timing{0.01, 0.25};
  bool quick = false;
  std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
      timing = {0.002, 0.01};
    } else if (arg == "--threads") {
      if (i + 1 >= argc) {
        fmt::print(stderr, "bench_matmul: --threads needs a value: a whole number from 1 to {}\n", kernel::kMaxThreads);
        return 2;
      }
      const std::string value = argv[++i];
      char* end = nullptr;
      const unsigned long n = std::strtoul(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || value[0] == '-' || n < 1 || n > kernel::kMaxThreads) {
        fmt::print(stderr, "bench_matmul: --threads: \"{}\" is not allowed; expected a whole number from 1 to {}\n",
                   value, kernel::kMaxThreads);
        return 2;
      }
      threads = n;
    } else if (arg == "--help" || arg == "-h") {
      fmt::print("usage: bench_matmul [--quick] [--threads N]\n"
                 "  GFLOP/s of glassbox's matrix products (at every SIMD width this processor runs) against\n"
                 "  a naive loop, Eigen and OpenBLAS: on one thread, then glassbox and OpenBLAS on N threads.\n"
                 "  --quick       smaller sizes and short runs: checks that the bench works; rough numbers\n"
                 "  --threads N   the second table's thread count (default: every core, here {})\n",
                 std::max(1u, std::thread::hardware_concurrency()));
      return 0;
    } else {
      fmt::print(stderr, "bench_matmul: unknown argument '{}' (expected --quick, --threads N or --help)\n", arg);
      return 2;
    }
  }

  const auto widths = kernel::available_widths();
  auto glassbox_at = [](kernel::Width w, std::size_t t) {
    return Contender{fmt::format("glassbox {}", kernel::width_name(w)), run_glassbox,
                     [w, t] {
                       kernel::set_width(w);
                       kernel::set_threads(t);
                     },
                     true};
  };
  std::vector<Contender> one_thread, many_threads;
  for (auto w : widths) one_thread.push_back(glassbox_at(w, 1));
  one_thread.push_back({"naive i-j-k", run_naive, [] {}});
  if (threads > 1)
    for (auto w : widths) many_threads.push_back(glassbox_at(w, threads));
  std::vector<std::string> missing;
#ifdef GLASSBOX_BENCH_EIGEN
  one_thread.push_back({"Eigen", run_eigen, [] {}});
#else
  missing.push_back("Eigen (install libeigen3-dev and reconfigure)");
#endif
#ifdef GLASSBOX_BENCH_OPENBLAS
  one_thread.push_back({"OpenBLAS", run_openblas, [] { openblas_set_num_threads(1); }});
  if (threads > 1)
    many_threads.push_back({"OpenBLAS", run_openblas, [threads] { openblas_set_num_threads(static_cast<int>(threads)); }});
#else
  missing.push_back("OpenBLAS (install libopenblas-dev and reconfigure)");
#endif

  std::vector<Case> cases;
  for (std::size_t n : {64, 128, 256, 512, 1024})
    if (!quick || n <= 256) cases.push_back({fmt::format("square n = {}", n), Product::ab, n, n, n});
  // A 784→128→10 MLP on a mini-batch of 32; Z = X·Wᵀ forward, dW = dZᵀ·X and dX = dZ·W backward.
  cases.push_back({"layer 1 forward: Z₁ = X·W₁ᵀ", Product::abt, 32, 784, 128});
  cases.push_back({"layer 2 forward: Z₂ = H·W₂ᵀ", Product::abt, 32, 128, 10});
  cases.push_back({"layer 2 backward: dW₂ = dZ₂ᵀ·H", Product::atb, 10, 32, 128});
  cases.push_back({"layer 2 backward: dH = dZ₂·W₂", Product::ab, 32, 10, 128});
  cases.push_back({"layer 1 backward: dW₁ = dZ₁ᵀ·X", Product::atb, 128, 32, 784});
  cases.push_back({"layer 1 backward: dX = dZ₁·W₁", Product::ab, 32, 128, 784});

  fmt::print("bench_matmul: GFLOP/s of C = A·B, A·Bᵀ, Aᵀ·B in double precision\n");
  fmt::print("  CPU:   {}\n", cpu_model());
#ifdef GLASSBOX_BENCH_NATIVE
  fmt::print("  build: GLASSBOX_NATIVE=ON (-march=native), -ffp-contract=off\n");
#else
  fmt::print("  build: portable, -ffp-contract=off; the kernel's SIMD width chosen at run time\n");
#endif
  std::string names;
  for (auto w : widths) names += (names.empty() ? "" : ", ") + std::string(kernel::width_name(w));
  fmt::print("  glassbox's widths on this processor: {} (glassbox <width>: forced with kernel::set_width)\n", names);
#ifdef GLASSBOX_BENCH_EIGEN
  fmt::print("  Eigen {}.{}.{} (compiled with the same flags)\n", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION,
             EIGEN_MINOR_VERSION);
#endif
#ifdef GLASSBOX_BENCH_OPENBLAS
  fmt::print("  {} (its own kernels, chosen for this CPU at run time)\n", openblas_get_config());
#endif
  for (const auto& m : missing) fmt::print("  not compared, not found: {}\n", m);
  if (quick) fmt::print("  --quick: short runs, rough numbers\n");
  fmt::print("\n");
  std::fflush(stdout);

  // Processor time against elapsed time: well below 1 per thread, other programs took the CPU part of the time.
  const auto wall_start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  std::uint64_t bits = 0, bits_again = 0;
  fmt::print("One thread:\n");
  if (!measure(cases, one_thread, timing, bits)) return 1;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const double share = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC / wall;
  if (share < 0.9)
    fmt::print("note: this table had the CPU only {:.0f}% of the time (other programs were running), so its\n"
               "      numbers are lower than this machine can do; run it again on an idle machine\n\n",
               100 * share);
  if (!many_threads.empty()) {
    fmt::print("{} threads:\n", threads);
    if (!measure(cases, many_threads, timing, bits_again)) return 1;
  }
  // The same digest from the portable and the native build shows they compute the same bits; every
  // width and thread count above gave exactly these bits (checked before timing).
  fmt::print("digest of glassbox's results: {:016x}\n", bits);
  return 0;
}
