// glassbox/core/kernel.cpp — the matrix-product kernel, C += A·B.
#include "glassbox/core/kernel.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace glassbox::kernel {

// One kernel computes all three products: C += A·B with A:(n×k) B:(k×m) C:(n×m). A·Bᵀ and Aᵀ·B are
// the same computation reading B or A through swapped strides (a Strided view, kernel.hpp), so
// there is one loop to get right and to make fast.
//
// The textbook loop, C(i, j) = Σ_p A(i, p)·B(p, j) for p = 0 … k−1, reads a whole row of A and
// column of B for every single element of C: it is limited by memory, not arithmetic. The kernel
// reorders the same work:
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
// the machine: the portable and -march=native builds write identical traces.


namespace {


// Lanes: kLanes doubles that one SIMD instruction multiplies or adds (GCC's and Clang's vector
// extension). The width follows the instruction set the build targets: SSE2 (every x86-64) and NEON
// hold 2 doubles, AVX 4, AVX-512 8 (-march=native picks the widest this CPU has). Tile sizes were
// chosen by measuring (docs/performance.md): the tile's sums must stay in registers (16 of them, 32
// with AVX-512), and 4 or 8 rows divide the usual batch sizes.
#if defined(__GNUC__)
#if defined(__AVX512F__)
constexpr std::size_t kVectorBytes = 64, kTileRows = 8, kTileVecs = 2;  // 8×16 tile
#elif defined(__AVX__)
constexpr std::size_t kVectorBytes = 32, kTileRows = 4, kTileVecs = 2;  // 4×8 tile
#else
constexpr std::size_t kVectorBytes = 16, kTileRows = 4, kTileVecs = 2;  // 4×4 tile
#endif
constexpr std::size_t kLanes = kVectorBytes / sizeof(Scalar);
using Lanes = Scalar __attribute__((vector_size(kVectorBytes)));
#else
// Without the extension: plain scalars, the same arithmetic in the same order.
constexpr std::size_t kLanes = 1, kTileRows = 4, kTileVecs = 4;
using Lanes = Scalar;
#endif
constexpr std::size_t kTileCols = kTileVecs * kLanes;

constexpr std::size_t kBlockInner = 256;  // p per block: a B panel is kBlockInner × kTileCols
constexpr std::size_t kBlockRows = 96;    // rows of A packed at a time (a multiple of kTileRows)
constexpr std::size_t kBlockCols = 2048;  // columns of B packed at a time (a multiple of kTileCols)
static_assert(kBlockRows % kTileRows == 0 && kBlockCols % kTileCols == 0);

Lanes load_lanes(const Scalar* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void store_lanes(Scalar* p, Lanes v) { std::memcpy(p, &v, sizeof v); }

// Packs A(i0 + i, p0 + p) for i < rows, p < depth into panels of kTileRows rows: panel t holds, for
// each p in turn, the kTileRows values A(i0 + t·kTileRows + r, p0 + p), r = 0 … kTileRows−1. Rows
// past the edge are zeros (their results are computed and thrown away).
void pack_a(Strided a, std::size_t i0, std::size_t rows, std::size_t p0, std::size_t depth, Scalar* out) {
  for (std::size_t t = 0; t < rows; t += kTileRows) {
    const std::size_t valid = std::min(kTileRows, rows - t);
    for (std::size_t p = 0; p < depth; ++p, out += kTileRows)
      for (std::size_t r = 0; r < kTileRows; ++r) out[r] = r < valid ? a(i0 + t + r, p0 + p) : Scalar{0};
  }
}

// Packs B(p0 + p, j0 + j) for p < depth, j < cols into panels of kTileCols columns: panel t holds,
// for each p in turn, B(p0 + p, j0 + t·kTileCols + c), c = 0 … kTileCols−1, as kTileVecs Lanes.
void pack_b(Strided b, std::size_t p0, std::size_t depth, std::size_t j0, std::size_t cols, Lanes* out) {
  for (std::size_t t = 0; t < cols; t += kTileCols) {
    const std::size_t valid = std::min(kTileCols, cols - t);
    for (std::size_t p = 0; p < depth; ++p, out += kTileVecs) {
      Scalar row[kTileCols];
      for (std::size_t c = 0; c < kTileCols; ++c) row[c] = c < valid ? b(p0 + p, j0 + t + c) : Scalar{0};
      for (std::size_t v = 0; v < kTileVecs; ++v) out[v] = load_lanes(row + v * kLanes);
    }
  }
}

// The register tile: C(r, c) += Σ_p a(r, p)·b(p, c) for r < kTileRows, c < kTileCols, p = 0 …
// depth−1 in increasing order. a and b are packed panels; C is row-major with row stride ldc.
void multiply_tile(std::size_t depth, const Scalar* a, const Lanes* b, Scalar* c, std::size_t ldc) {
  Lanes sum[kTileRows][kTileVecs];
  for (std::size_t r = 0; r < kTileRows; ++r)
    for (std::size_t v = 0; v < kTileVecs; ++v) sum[r][v] = load_lanes(c + r * ldc + v * kLanes);
  for (std::size_t p = 0; p < depth; ++p, a += kTileRows, b += kTileVecs)
    for (std::size_t r = 0; r < kTileRows; ++r)
      for (std::size_t v = 0; v < kTileVecs; ++v) sum[r][v] += a[r] * b[v];  // a[r] fills every lane
  for (std::size_t r = 0; r < kTileRows; ++r)
    for (std::size_t v = 0; v < kTileVecs; ++v) store_lanes(c + r * ldc + v * kLanes, sum[r][v]);
}

// A tile cut by the edge of C (rows < kTileRows or cols < kTileCols) goes through a full-size copy.
void multiply_edge_tile(std::size_t depth, const Scalar* a, const Lanes* b, Scalar* c, std::size_t ldc,
                        std::size_t rows, std::size_t cols) {
  Scalar tile[kTileRows][kTileCols] = {};
  for (std::size_t r = 0; r < rows; ++r) std::copy_n(c + r * ldc, cols, tile[r]);
  multiply_tile(depth, a, b, &tile[0][0], kTileCols);
  for (std::size_t r = 0; r < rows; ++r) std::copy_n(tile[r], cols, c + r * ldc);
}

}  // namespace

void gemm(std::size_t n, std::size_t m, std::size_t k, Strided a, Strided b, Scalar* c) {
  // Packing buffers, per thread and reused from call to call (no allocation once they are big enough).
  thread_local std::vector<Scalar> a_packed;
  thread_local std::vector<Lanes> b_packed;
  auto round_up = [](std::size_t x, std::size_t to) { return (x + to - 1) / to * to; };
  const std::size_t max_depth = std::min(k, kBlockInner);
  a_packed.resize(std::max(a_packed.size(), round_up(std::min(n, kBlockRows), kTileRows) * max_depth));
  b_packed.resize(
      std::max(b_packed.size(), round_up(std::min(m, kBlockCols), kTileCols) / kLanes * max_depth));

  for (std::size_t j0 = 0; j0 < m; j0 += kBlockCols) {
    const std::size_t cols = std::min(kBlockCols, m - j0);
    for (std::size_t p0 = 0; p0 < k; p0 += kBlockInner) {  // in order: this is the summation order
      const std::size_t depth = std::min(kBlockInner, k - p0);
      pack_b(b, p0, depth, j0, cols, b_packed.data());
      for (std::size_t i0 = 0; i0 < n; i0 += kBlockRows) {
        const std::size_t rows = std::min(kBlockRows, n - i0);
        pack_a(a, i0, rows, p0, depth, a_packed.data());
        for (std::size_t j = 0; j < cols; j += kTileCols)
          for (std::size_t i = 0; i < rows; i += kTileRows) {
            const Scalar* a_panel = a_packed.data() + i * depth;
            const Lanes* b_panel = b_packed.data() + j / kLanes * depth;
            Scalar* c_tile = c + (i0 + i) * m + j0 + j;
            if (i + kTileRows <= rows && j + kTileCols <= cols)
              multiply_tile(depth, a_panel, b_panel, c_tile, m);
            else
              multiply_edge_tile(depth, a_panel, b_panel, c_tile, m, std::min(kTileRows, rows - i),
                                 std::min(kTileCols, cols - j));
          }
      }
    }
  }
}

}  // namespace glassbox::kernel
