// glassbox/core/kernel.hpp — the matrix-product kernel: C += A·B, cache-blocked and vectorised, with the
// textbook loop's summation order (so with its bits).
//
// Matrix's products (matmul, matmul_abt, matmul_atb in matrix.hpp) check shapes and call this; a
// program should call those. The kernel is public for benchmarks and for code that wants a product
// of strided views without copying. How it works and why its results do not depend on the machine,
// the SIMD width or the number of threads: lib/src/core/kernel.cpp.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "glassbox/core/matrix.hpp"

namespace glassbox::kernel {

// A matrix read through strides: element (i, j) at data[i·row_stride + j·col_stride]. A row-major
// matrix has strides (cols, 1); its transpose, read in place, has (1, cols).
struct Strided {
  const Scalar* data;
  std::size_t row_stride, col_stride;
  Scalar operator()(std::size_t i, std::size_t j) const { return data[i * row_stride + j * col_stride]; }
};

// What gemm() does with C: adds the product to it (C += A·B, every sum starting from C's value), or
// overwrites it (C = A·B: C is not read, and the bits are those of zeroing C and adding).
enum class Into { add, overwrite };

// Along which side a large product's C is cut between threads. automatic: the longer side, so
// each thread packs the least of the operand it does not share. rows: whole rows, as a gradient
// dW = dZᵀ·X is cut, so that each thread computes the rows of dW whose rows of W it read in the
// forward pass (Z = X·Wᵀ cuts Z's columns, which are W's rows) and updates them in the optimizer
// (parallel_for over W's rows): each keeps its rows of W and dW in its own cache — as long as no
// thread has had to take over another's slices (see set_threads).
enum class Split { automatic, rows };

// C += A·B (or C = A·B) for A:(n×k) and B:(k×m) read through strides, C:(n×m) row-major.
// n, m or k may be 0. No shape is checked: the caller has.
// Large products are split into blocks of C computed by several threads (see set_threads).
void gemm(std::size_t n, std::size_t m, std::size_t k, Strided a, Strided b, Scalar* c, Into into = Into::add,
          Split split = Split::automatic);

// The optimizer's step on n numbers, in the SIMD width in use: Δθ = s·g, then θ ← θ + Δθ, each
// rounded, element by element (SGD's update with s = −η). Returns whether every new θ is finite.
// The same bits at every width: each lane does one element's arithmetic.
bool scaled_step(Scalar s, const Scalar* g, Scalar* delta, Scalar* theta, std::size_t n);

// ---- SIMD width ----------------------------------------------------------------------------------
// The kernel comes in one version per SIMD width; on x86-64 with GCC or Clang the build carries SSE2
// (every x86-64 processor), AVX2 and AVX-512, and uses the widest this processor has, unless the
// environment variable GLASSBOX_SIMD (sse2, avx2, avx512) or set_width() says otherwise. Elsewhere
// there is one version, `scalar`. Every version gives the same bits; only the speed differs.
enum class Width { scalar, sse2, avx2, avx512 };

std::string_view width_name(Width width);                      // "sse2", "avx2", …
std::optional<Width> parse_width(std::string_view name);       // the inverse; nullopt if unknown
std::vector<Width> available_widths();  // carried by this build and run by this processor, narrowest first
Width width();                          // the one in use
// Throws UsageError naming the width and the ones this processor has when it is not among them.
void set_width(Width width);

// ---- threads -------------------------------------------------------------------------------------
// How many threads a large product may use: 1 or more; by default the processor's cores
// (std::thread::hardware_concurrency), or the environment variable GLASSBOX_THREADS. Products below
// about kParallelWork multiply-adds stay on the calling thread, where waking a thread costs more
// than it saves. Each element of C is still summed by one thread in the textbook order, so the bits
// do not depend on the thread count.
//
// A product's C (and a parallel_for's range) is cut into one block per thread, and each block into
// up to kSlices slices. A thread runs its own block's slices first, then any slice of another block
// that nobody has started, from the block's end: a thread the machine runs slower for a while (a
// busy neighbour on its core; a virtual machine's host lending its processor elsewhere) does less,
// and the others do not wait for it. A thread that waits — for a job, or for a slice another
// thread is running — watches for a few microseconds and then yields its processor at every look,
// in case the thread it waits for is waiting for that processor.
constexpr std::size_t kMaxThreads = 256;
constexpr std::size_t kParallelWork = 1u << 17;  // n·m·k
constexpr std::size_t kSlices = 4;               // per thread's block
std::size_t threads();
void set_threads(std::size_t count);  // throws UsageError unless 1 ≤ count ≤ kMaxThreads

// Element-wise work over the same threads: runs body(begin, end) on slices that cover [0, count),
// each a whole number of `unit`s (the last may be cut short). Block t (a thread's share, cut the
// same way for a given count each time) goes to thread t — the caller has block 0 and runs the
// first slice — so a thread that updates rows of a parameter is normally the one that computed
// their gradient (Split::rows); a slice its thread has not started when another thread runs out of
// work is run by that thread instead (set_threads). Split only when count·work_per_item ≥
// kParallelWork; otherwise, or while another thread's product holds the pool, body(0, count) runs
// on the caller. The body must not throw, and slices must not write to the same place: the result
// is then independent of the thread count.
template <class Body>
void parallel_for(std::size_t count, std::size_t unit, std::size_t work_per_item, Body&& body);

namespace detail {
// Work a pool's idle threads may take a piece of (BackgroundLoop): run(context) runs one piece, if
// one is left, and returns whether one was.
struct Chore {
  bool (*run)(void* context);
  void* context;
};
}  // namespace detail

// A loop started now and finished later: while the caller goes on with other work, the other
// threads run its slices whenever they have no product or parallel_for to run. (train() gathers
// the next mini-batch this way while the current one's step runs.) finish() runs on the caller the
// slices nobody has started, then takes the offer back and waits for the slices other threads are
// running; the destructor calls it. With one thread, while another loop is on offer, or while
// another thread's product holds the pool, nothing is offered and every slice runs in finish().
// The body must stay alive and must not throw; it runs on whichever thread takes a slice, and a
// product or parallel_for inside it stays on that thread. Slices must not write to the same place.
class BackgroundLoop {
public:
  BackgroundLoop() = default;
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;
  ~BackgroundLoop() { finish(); }

  // body(begin, end) over slices of [0, count), each `unit` items (the last may be cut short).
  // Finishes the loop started before, if any.
  template <class Body>
  void start(std::size_t count, std::size_t unit, Body& body);
  void finish();

private:
  void start_slices(std::size_t count, std::size_t unit, void (*body)(void*, std::size_t, std::size_t),
                    void* context);
  static bool run_one(void* self);  // a slice, if one is left
  std::size_t count_ = 0, unit_ = 1, slices_ = 0;
  std::atomic<std::size_t> next_{0};  // the next slice to take
  void (*body_)(void*, std::size_t, std::size_t) = nullptr;
  void* context_ = nullptr;
  std::uint64_t offered_to_ = 0;  // the pool it is on offer in (its number), or 0
  detail::Chore chore_{};
};

// Reads GLASSBOX_SIMD and GLASSBOX_THREADS (once; later calls do nothing) and throws UsageError
// naming the variable when one holds something it cannot use. The first product calls it too; the
// programs call it while reading their command line (io/cli.cpp), so a bad value is a usage error
// there, and --threads then takes the place of GLASSBOX_THREADS.
void configure_from_environment();

namespace detail {
// parallel_for() without its template: body(context, begin, end).
void parallel_blocks(std::size_t count, std::size_t unit, std::size_t work_per_item,
                     void (*body)(void* context, std::size_t begin, std::size_t end), void* context);
}  // namespace detail

template <class Body>
void parallel_for(std::size_t count, std::size_t unit, std::size_t work_per_item, Body&& body) {
  auto* context = &body;
  detail::parallel_blocks(
      count, unit, work_per_item,
      [](void* c, std::size_t begin, std::size_t end) { (*static_cast<decltype(context)>(c))(begin, end); },
      context);
}

template <class Body>
void BackgroundLoop::start(std::size_t count, std::size_t unit, Body& body) {
  start_slices(
      count, unit,
      [](void* c, std::size_t begin, std::size_t end) { (*static_cast<Body*>(c))(begin, end); }, &body);
}

}  // namespace glassbox::kernel
