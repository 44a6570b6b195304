// glassbox/core/kernel.cpp — the matrix-product kernel, C += A·B.
#include "glassbox/core/kernel.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"
#include "kernel_widths.hpp"
#include "thread_pool.hpp"

namespace glassbox::kernel {

// One kernel computes all three products: C += A·B with A:(n×k) B:(k×m) C:(n×m). A·Bᵀ and Aᵀ·B are
// the same computation reading B or A through swapped strides (a Strided view, kernel.hpp), so
// there is one loop to get right and to make fast.
//
// The textbook loop, C(i, j) = Σ_p A(i, p)·B(p, j) for p = 0 … k−1, reads a whole row of A and
// column of B for every single element of C: it is limited by memory, not arithmetic. The kernel
// reorders the same work:
// The kernel's body is in kernel_impl.hpp, compiled once per SIMD width (kernel_sse2.cpp,
// kernel_avx2.cpp, kernel_avx512.cpp); this file picks the version, splits large products between
// threads and keeps each thread's packing buffers. The body:
//   1. Register tile. multiply_tile() keeps a kTileRows × kTileCols tile of C in SIMD registers and,
//      for each p, adds A(i, p)·B(p, j) to all of it: kTileRows + kTileCols numbers loaded for
//      kTileRows·kTileCols multiply-adds.
//   2. Packing. The block of B in use is copied once into panels kTileCols wide, and the block of A
//      into panels kTileRows tall, each laid out in the order the tile loop reads it: contiguous,
//      whatever the strides of the original. Reading Aᵀ or Bᵀ through swapped strides costs only
//      here, once per block, not in the tile loop.
//   3. Cache blocking. p runs in blocks of kBlockInner so that one panel of B stays in L1 while the
//      tiles of a block of kBlockRows rows of A (kept in L2) sweep over it.
//
// Determinism: every C(i, j) is still summed over p in increasing order, one rounded product at a
// time, starting from 0 — exactly as the textbook loop does. Blocks of p are taken in order, and a
// tile's partial sums are stored in C between blocks and reloaded unchanged. Nothing is summed in
// a different order or in parallel partial sums, and -ffp-contract=off stops the compiler from
// fusing a·b + c into one FMA. So the bits do not depend on the tile sizes, on the SIMD width, or on
// the machine: the portable and -march=native builds write identical traces, and so do the SSE2,
// AVX2 and AVX-512 versions (the test "every SIMD width gives the textbook loop's bits").
//
// Threads: a large product's C is cut into blocks of whole rows or whole columns, one per thread,
// and each block into slices that another thread can take over (below). Every C(i, j) is still
// computed by one thread, over all of p, in increasing order: which thread computes it, and next to
// which others, changes nothing in its sum. So the bits do not depend on the thread count either.

namespace {

using detail::PackSizes;

struct Version {
  Width width;
  PackSizes (*pack_sizes)(std::size_t n, std::size_t m, std::size_t k);
  void (*gemm)(std::size_t n, std::size_t m, std::size_t k, Strided a, Strided b, Scalar* c, std::size_t ldc,
               bool overwrite, Scalar* a_packed, Scalar* b_packed, const Scalar* a_whole, const Scalar* b_whole);
  std::size_t (*whole_size)(bool a_side, std::size_t extent, std::size_t k);
  void (*pack_whole)(bool a_side, Strided x, std::size_t extent, std::size_t k, Scalar* out);
  std::uint64_t (*scaled_step)(Scalar s, const Scalar* g, Scalar* delta, Scalar* theta, std::size_t n);
};

#if GLASSBOX_KERNEL_X86
constexpr Version kVersions[] = {
    {Width::sse2, detail::sse2::pack_sizes, detail::sse2::gemm, detail::sse2::whole_size,
     detail::sse2::pack_whole, detail::sse2::scaled_step},
    {Width::avx2, detail::avx2::pack_sizes, detail::avx2::gemm, detail::avx2::whole_size,
     detail::avx2::pack_whole, detail::avx2::scaled_step},
    {Width::avx512, detail::avx512::pack_sizes, detail::avx512::gemm, detail::avx512::whole_size,
     detail::avx512::pack_whole, detail::avx512::scaled_step},
};
#else
constexpr Version kVersions[] = {
    {Width::scalar, detail::scalar::pack_sizes, detail::scalar::gemm, detail::scalar::whole_size,
     detail::scalar::pack_whole, detail::scalar::scaled_step}};
#endif

// Whether this processor (and its operating system, which must save the wider registers) runs it.
bool runs_here(Width w) {
#if GLASSBOX_KERNEL_X86
  __builtin_cpu_init();
  switch (w) {
    case Width::scalar: return false;
    case Width::sse2: return true;
    case Width::avx2: return __builtin_cpu_supports("avx2");
    case Width::avx512: return __builtin_cpu_supports("avx512f");
  }
  return false;
#else
  return w == Width::scalar;
#endif
}

const Version& version_of(Width w) {
  for (const Version& v : kVersions)
    if (v.width == w) return v;
  return kVersions[0];
}

const Version& widest_here() {
  const Version* best = &kVersions[0];
  for (const Version& v : kVersions)
    if (runs_here(v.width)) best = &v;
  return *best;
}

std::string joined_names(const std::vector<Width>& widths) {
  std::string out;
  for (Width w : widths) out += (out.empty() ? "" : ", ") + std::string(width_name(w));
  return out;
}

// The settings, read by every product. Chosen by configure_from_environment() (the environment, or
// the widest width and all cores), unless set_width() or set_threads() came first.
std::atomic<const Version*> g_version{nullptr};
std::atomic<std::size_t> g_threads{0};
std::atomic<bool> g_configured{false};
std::mutex g_configure_mutex;

std::size_t default_threads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp<std::size_t>(cores, 1, kMaxThreads);
}

// Packing buffers, one set per thread, aligned to a cache line and reused from call to call (no
// allocation once they are big enough): a block of A, a block of B, and the operand a split
// product's slices share, packed whole (`whole_job`: the product it was packed for).
class Workspace {
public:
  Scalar* a() const { return a_.get(); }
  Scalar* b() const { return b_.get(); }
  Scalar* whole() const { return whole_.get(); }
  void reserve(PackSizes need) {
    grow(a_, a_size_, need.a);
    grow(b_, b_size_, need.b);
  }
  void reserve_whole(std::size_t need) { grow(whole_, whole_size_, need); }
  std::uint64_t whole_job = 0;

private:
  struct Free {
    void operator()(Scalar* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  using Buffer = std::unique_ptr<Scalar[], Free>;
  static void grow(Buffer& buffer, std::size_t& size, std::size_t need) {
    if (need <= size) return;
    buffer.reset(static_cast<Scalar*>(::operator new[](need * sizeof(Scalar), std::align_val_t{64})));
    size = need;
  }
  Buffer a_, b_, whole_;
  std::size_t a_size_ = 0, b_size_ = 0, whole_size_ = 0;
};

thread_local Workspace t_workspace;

void gemm_on_this_thread(const Version& v, std::size_t n, std::size_t m, std::size_t k, Strided a, Strided b,
                         Scalar* c, std::size_t ldc, bool overwrite, const Scalar* a_whole = nullptr,
                         const Scalar* b_whole = nullptr) {
  t_workspace.reserve(v.pack_sizes(n, m, k));
  v.gemm(n, m, k, a, b, c, ldc, overwrite, t_workspace.a(), t_workspace.b(), a_whole, b_whole);
}

// Block `part` of `parts` of [0, extent) in whole units: [begin, end), empty when there are fewer
// units than parts.
struct Block {
  std::size_t begin, end;
};
Block block_of(std::size_t extent, std::size_t unit, std::size_t part, std::size_t parts) {
  const std::size_t units = (extent + unit - 1) / unit;
  return {std::min(extent, units * part / parts * unit), std::min(extent, units * (part + 1) / parts * unit)};
}

// Split work is cut finer than one block per thread, so that no thread waits long for another: each
// thread's block is cut into up to kSlices slices (of whole units). A thread runs the slices of its
// own block from the first, then takes the slices nobody has started of the other blocks, from
// their last. When the threads run at the same speed, each runs its own block, as it would without
// slices (and keeps the rows it computed in its cache, see Split); when the machine gives one of
// them less — another program on its core, or a virtual machine's host running something else on
// the processor behind it, for a moment or for a whole time slice — the others take over its
// slices instead of waiting for it. A slice is run once, by whichever thread takes it first, and
// which thread runs it changes nothing in its result.

// Slice s of block `part`: [begin, end).
Block slice_of(std::size_t extent, std::size_t unit, std::size_t part, std::size_t parts, std::size_t s,
               std::size_t slices) {
  const auto [begin, end] = block_of(extent, unit, part, parts);
  const std::size_t units = (end - begin + unit - 1) / unit;
  return {begin + std::min(end - begin, units * s / slices * unit),
          begin + std::min(end - begin, units * (s + 1) / slices * unit)};
}

// Which slices have been taken: [part·kSlices + s].
struct Taken {
  std::atomic<bool> flags[kMaxThreads * kSlices] = {};
  bool take(std::size_t part, std::size_t s) {  // a look first: most slices a thief tries are taken
    std::atomic<bool>& flag = flags[part * kSlices + s];
    return !flag.load(std::memory_order_relaxed) && !flag.exchange(true, std::memory_order_relaxed);
  }
};

// Runs run(block, slice) for the slices this thread takes, in the order above.
template <class Run>
void run_slices(Taken& taken, std::size_t part, std::size_t parts, std::size_t slices, Run run) {
  for (std::size_t s = 0; s < slices; ++s)
    if (taken.take(part, s)) run(part, s);
  for (std::size_t i = 1; i < parts; ++i)
    for (std::size_t s = slices; s-- > 0;)
      if (taken.take((part + i) % parts, s)) run((part + i) % parts, s);
}

// One product split between threads: block t of `parts` holds the rows (or columns) of C from unit
// (units·t / parts) to unit (units·(t+1) / parts), in slices. A unit is a multiple of every
// version's tile (rows: 8; columns: 16), so only the last slice has a tile cut by the edge of C.
// The operand the slices share — all of A when C is cut by columns, all of B when by rows — is
// packed whole, once, by each thread that runs a slice, when it fits in kWholeLimit numbers;
// otherwise (a very large product) each block is one slice, which packs its blocks as it goes.
constexpr std::size_t kRowUnit = 8, kColUnit = 16, kWholeLimit = std::size_t{1} << 19;

std::atomic<std::uint64_t> g_product_ids{0};

struct SplitProduct {
  const Version* version;
  std::size_t n, m, k;
  Strided a, b;
  Scalar* c;
  bool by_columns, overwrite;
  std::size_t parts, slices;
  std::uint64_t id;  // g_product_ids: a number no other product had
  Taken taken;
};

void run_part(void* context, std::size_t part) {
  SplitProduct& job = *static_cast<SplitProduct*>(context);
  const bool whole = job.slices > 1;
  run_slices(job.taken, part, job.parts, job.slices, [&](std::size_t block, std::size_t s) {
    const auto [begin, end] = job.by_columns ? slice_of(job.m, kColUnit, block, job.parts, s, job.slices)
                                              : slice_of(job.n, kRowUnit, block, job.parts, s, job.slices);
    if (begin >= end) return;
    const Scalar* shared = nullptr;
    if (whole) {
      const Version& v = *job.version;
      if (t_workspace.whole_job != job.id) {
        const bool a_side = job.by_columns;
        t_workspace.reserve_whole(v.whole_size(a_side, a_side ? job.n : job.m, job.k));
        v.pack_whole(a_side, a_side ? job.a : job.b, a_side ? job.n : job.m, job.k, t_workspace.whole());
        t_workspace.whole_job = job.id;
      }
      shared = t_workspace.whole();
    }
    if (job.by_columns) {
      const Strided b{job.b.data + begin * job.b.col_stride, job.b.row_stride, job.b.col_stride};
      gemm_on_this_thread(*job.version, job.n, end - begin, job.k, job.a, b, job.c + begin, job.m, job.overwrite,
                          shared, nullptr);
    } else {
      const Strided a{job.a.data + begin * job.a.row_stride, job.a.row_stride, job.a.col_stride};
      gemm_on_this_thread(*job.version, end - begin, job.m, job.k, a, job.b, job.c + begin * job.m, job.m,
                          job.overwrite, nullptr, shared);
    }
  });
}

struct SplitLoop {
  std::size_t count, unit, parts;
  void (*body)(void*, std::size_t, std::size_t);
  void* context;
  Taken taken;
};

void run_loop_part(void* context, std::size_t part) {
  SplitLoop& job = *static_cast<SplitLoop*>(context);
  run_slices(job.taken, part, job.parts, kSlices, [&](std::size_t block, std::size_t s) {
    const auto [begin, end] = slice_of(job.count, job.unit, block, job.parts, s, kSlices);
    if (begin < end) job.body(job.context, begin, end);
  });
}

// The pool, made when a product first needs it and remade when the thread count changes. One
// product uses it at a time; a product that finds it busy (another thread's) runs on its own thread.
std::mutex g_pool_mutex;
std::unique_ptr<detail::ThreadPool> g_pool;

// Whether this thread is running a job on the pool as its caller (and holds g_pool_mutex): a product
// inside a parallel_for block then runs on this thread without trying the lock it already holds.
thread_local bool t_calling_pool = false;

// Runs task over `parts` parts on the pool, made or remade for `count` threads, and returns true;
// false (nothing run) when a job holds the pool — another thread's, or this thread's own.
// Which pool g_pool is, counting from 1 (under g_pool_mutex): a BackgroundLoop on offer in a pool
// since remade has been taken back by that pool's destructor.
std::uint64_t g_pool_number = 0;

// The pool for `count` threads, made or remade; the caller holds g_pool_mutex.
detail::ThreadPool& pool_for(std::size_t count) {
  if (!g_pool || g_pool->workers() != count - 1) {
    g_pool.reset();
    g_pool = std::make_unique<detail::ThreadPool>(count - 1);
    ++g_pool_number;
  }
  return *g_pool;
}

bool run_on_pool(std::size_t count, std::size_t parts, detail::ThreadPool::Task task, void* context) {
  if (t_calling_pool) return false;
  std::unique_lock lock(g_pool_mutex, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  pool_for(count);
  t_calling_pool = true;
  g_pool->run(parts, task, context);
  t_calling_pool = false;
  return true;
}

}  // namespace

std::string_view width_name(Width width) {
  switch (width) {
    case Width::scalar: return "scalar";
    case Width::sse2: return "sse2";
    case Width::avx2: return "avx2";
    case Width::avx512: return "avx512";
  }
  return "?";
}

std::optional<Width> parse_width(std::string_view name) {
  for (Width w : {Width::scalar, Width::sse2, Width::avx2, Width::avx512})
    if (name == width_name(w)) return w;
  return std::nullopt;
}

std::vector<Width> available_widths() {
  std::vector<Width> out;
  for (const Version& v : kVersions)
    if (runs_here(v.width)) out.push_back(v.width);
  return out;
}

Width width() {
  configure_from_environment();
  return g_version.load()->width;
}

void set_width(Width w) {
  if (!runs_here(w))
    throw UsageError(fmt::format("the SIMD width {} is not available here; this {} runs {}", width_name(w),
                                 GLASSBOX_KERNEL_X86 ? "processor" : "build", joined_names(available_widths())));
  g_version = &version_of(w);
}

std::size_t threads() {
  configure_from_environment();
  return g_threads.load();
}

void set_threads(std::size_t count) {
  if (count < 1 || count > kMaxThreads)
    throw UsageError(fmt::format("the thread count must be from 1 to {}, not {}", kMaxThreads, count));
  g_threads = count;
}

void configure_from_environment() {
  if (g_configured.load(std::memory_order_acquire)) return;
  std::lock_guard lock(g_configure_mutex);
  if (g_configured.load()) return;
  const Version* version = g_version.load();
  if (!version) {
    version = &widest_here();
    if (const char* text = std::getenv("GLASSBOX_SIMD"); text && *text) {
      const auto w = parse_width(text);
      const auto here = available_widths();
      if (!w)
        throw UsageError(fmt::format("GLASSBOX_SIMD: \"{}\" is not a SIMD width; expected one of {}", text,
                                     joined_names(here)));
      if (std::find(here.begin(), here.end(), *w) == here.end())
        throw UsageError(fmt::format("GLASSBOX_SIMD: {} is not available here; this {} runs {}", text,
                                     GLASSBOX_KERNEL_X86 ? "processor" : "build", joined_names(here)));
      version = &version_of(*w);
    }
  }
  std::size_t count = g_threads.load();
  if (count == 0) {
    count = default_threads();
    if (const char* text = std::getenv("GLASSBOX_THREADS"); text && *text) {
      const std::string_view s(text);
      std::size_t x = 0;
      const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (error != std::errc() || end != s.data() + s.size() || x < 1 || x > kMaxThreads)
        throw UsageError(fmt::format("GLASSBOX_THREADS: \"{}\" is not allowed; expected a whole number from 1 "
                                     "to {}", text, kMaxThreads));
      count = x;
    }
  }
  g_version = version;
  g_threads = count;
  g_configured.store(true, std::memory_order_release);
}

void gemm(std::size_t n, std::size_t m, std::size_t k, Strided a, Strided b, Scalar* c, Into into, Split split) {
  if (n == 0 || m == 0) return;
  const bool overwrite = into == Into::overwrite;
  if (k == 0) {  // an empty sum: 0
    if (overwrite) std::fill(c, c + n * m, Scalar{0});
    return;
  }
  configure_from_environment();
  const Version& version = *g_version.load(std::memory_order_relaxed);
  const std::size_t count = g_threads.load(std::memory_order_relaxed);
  // Automatic: the larger side of C, since each thread packs all of the other operand.
  const bool by_columns = split == Split::automatic && m >= n;
  const std::size_t units = by_columns ? (m + kColUnit - 1) / kColUnit : (n + kRowUnit - 1) / kRowUnit;
  const std::size_t parts = std::min(count, units);
  if (parts > 1 && n * m * k >= kParallelWork) {
    const bool whole = version.whole_size(by_columns, by_columns ? n : m, k) <= kWholeLimit;
    SplitProduct job{&version, n, m, k, a, b, c, by_columns, overwrite, parts, whole ? kSlices : 1,
                     g_product_ids.fetch_add(1, std::memory_order_relaxed) + 1, {}};
    if (run_on_pool(count, parts, run_part, &job)) return;
  }
  gemm_on_this_thread(version, n, m, k, a, b, c, m, overwrite);
}

bool scaled_step(Scalar s, const Scalar* g, Scalar* delta, Scalar* theta, std::size_t n) {
  configure_from_environment();
  return g_version.load(std::memory_order_relaxed)->scaled_step(s, g, delta, theta, n) == 0;
}

void BackgroundLoop::start_slices(std::size_t count, std::size_t unit,
                                  void (*body)(void*, std::size_t, std::size_t), void* context) {
  finish();
  unit_ = std::max<std::size_t>(unit, 1);
  count_ = count;
  slices_ = (count + unit_ - 1) / unit_;
  body_ = body;
  context_ = context;
  next_.store(0, std::memory_order_relaxed);
  chore_ = {run_one, this};
  configure_from_environment();
  const std::size_t threads = g_threads.load(std::memory_order_relaxed);
  if (threads < 2 || slices_ == 0 || t_calling_pool) return;
  std::unique_lock lock(g_pool_mutex, std::try_to_lock);  // held by another thread's product: not offered
  if (lock.owns_lock() && pool_for(threads).offer(&chore_)) offered_to_ = g_pool_number;
}

bool BackgroundLoop::run_one(void* self) {
  BackgroundLoop& loop = *static_cast<BackgroundLoop*>(self);
  const std::size_t s = loop.next_.fetch_add(1, std::memory_order_relaxed);
  if (s >= loop.slices_) return false;
  const bool calling = t_calling_pool;
  t_calling_pool = true;  // a product in the body runs on this thread
  loop.body_(loop.context_, s * loop.unit_, std::min(loop.count_, (s + 1) * loop.unit_));
  t_calling_pool = calling;
  return true;
}

void BackgroundLoop::finish() {
  // The slices nobody has started, here; then the offer taken back, which waits for the slices
  // other threads are running.
  while (run_one(this)) {
  }
  if (offered_to_ != 0) {
    std::unique_lock lock(g_pool_mutex, std::defer_lock);
    if (!t_calling_pool) lock.lock();  // else this thread holds it, running a job on the pool
    if (g_pool && g_pool_number == offered_to_) g_pool->withdraw();
    offered_to_ = 0;
  }
}

namespace detail {

void parallel_blocks(std::size_t count, std::size_t unit, std::size_t work_per_item,
                     void (*body)(void* context, std::size_t begin, std::size_t end), void* context) {
  if (count == 0) return;
  configure_from_environment();
  const std::size_t threads = g_threads.load(std::memory_order_relaxed);
  unit = std::max<std::size_t>(unit, 1);
  const std::size_t parts = std::min(threads, (count + unit - 1) / unit);
  if (parts > 1 && count * work_per_item >= kParallelWork) {
    SplitLoop job{count, unit, parts, body, context, {}};
    if (run_on_pool(threads, parts, run_loop_part, &job)) return;
  }
  body(context, 0, count);
}

}  // namespace detail

}  // namespace glassbox::kernel
