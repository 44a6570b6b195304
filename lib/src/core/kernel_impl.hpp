// glassbox/core/kernel_impl.hpp — the body of the product kernel, C += A·B (or C = A·B), and of the
// optimizer's element-wise step (kernel::scaled_step), for one SIMD width.
//
// Private to lib/src/core: kernel_sse2.cpp, kernel_avx2.cpp and kernel_avx512.cpp each include it
// once, compiled with their own instruction set (-mavx2, -mavx512f: lib/CMakeLists.txt) and with
// GLASSBOX_KERNEL_NAMESPACE naming the width, and kernel.cpp picks one of them at start-up. How the
// kernel works and why every width gives the same bits: kernel.cpp.
//
// Before including, define
//   GLASSBOX_KERNEL_NAMESPACE   sse2, avx2, avx512 or scalar
//   GLASSBOX_KERNEL_BYTES       bytes of one SIMD register (16, 32, 64), or 0 for plain scalars
//   GLASSBOX_KERNEL_TILE_ROWS   rows of the register tile
//   GLASSBOX_KERNEL_TILE_VECS   registers across the register tile
//
// The same source compiled with different instruction sets must not share an inline function or a
// template instantiation with the rest of the library: the linker keeps one copy of each, and it
// could be the AVX-512 one. So nothing here calls into the standard library's templates or
// kernel.hpp's inline functions; everything is in an unnamed namespace or in the width's own one.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "kernel_widths.hpp"

namespace glassbox::kernel::detail::GLASSBOX_KERNEL_NAMESPACE {

namespace {

// Lanes: kLanes doubles that one SIMD instruction multiplies or adds (GCC's and Clang's vector
// extension): 2 with SSE2, 4 with AVX2, 8 with AVX-512.
#if GLASSBOX_KERNEL_BYTES > 0
constexpr std::size_t kVectorBytes = GLASSBOX_KERNEL_BYTES;
constexpr std::size_t kLanes = kVectorBytes / sizeof(Scalar);
using Lanes = Scalar __attribute__((vector_size(kVectorBytes)));
#else
// Without the extension: plain scalars, the same arithmetic in the same order.
constexpr std::size_t kLanes = 1;
using Lanes = Scalar;
#endif
constexpr std::size_t kTileRows = GLASSBOX_KERNEL_TILE_ROWS;
constexpr std::size_t kTileVecs = GLASSBOX_KERNEL_TILE_VECS;
constexpr std::size_t kTileCols = kTileVecs * kLanes;

constexpr std::size_t kBlockInner = 256;  // p per block: a B panel is kBlockInner × kTileCols
constexpr std::size_t kBlockRows = 96;    // rows of A packed at a time (a multiple of kTileRows)
constexpr std::size_t kBlockCols = 2048;  // columns of B packed at a time (a multiple of kTileCols)
static_assert(kBlockRows % kTileRows == 0 && kBlockCols % kTileCols == 0);

std::size_t lesser(std::size_t x, std::size_t y) { return x < y ? x : y; }
std::size_t round_up(std::size_t x, std::size_t to) { return (x + to - 1) / to * to; }

Lanes load_lanes(const Scalar* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void store_lanes(Scalar* p, Lanes v) { std::memcpy(p, &v, sizeof v); }

// Transposing in registers: a square block of kLanes × kLanes doubles, read as kLanes rows of one
// register each, comes out as its kLanes columns, in log2(kLanes) rounds of interleaving pairs of
// registers (GCC 12's and Clang's __builtin_shufflevector). Packing a panel across the rows of its
// operand — a row-major A, or a transposed B (Wᵀ in Z = X·Wᵀ) — then moves whole registers instead
// of one double at a time. It only moves values: the bits of the product cannot change.
#if GLASSBOX_KERNEL_BYTES > 0 && (defined(__clang__) || __GNUC__ >= 12)
#define GLASSBOX_KERNEL_TRANSPOSE 1
// Lane i of the result: with H set in i, lane i − H (low) or i (high) of y; otherwise lane i (low)
// or i + H (high) of x. All of this is always_inline, so that the square stays in registers.
template <std::size_t H, std::size_t... I>
[[gnu::always_inline]] inline Lanes interleave_low(Lanes x, Lanes y, std::index_sequence<I...>) {
  return __builtin_shufflevector(x, y, ((I & H) ? kLanes + I - H : I)...);
}
template <std::size_t H, std::size_t... I>
[[gnu::always_inline]] inline Lanes interleave_high(Lanes x, Lanes y, std::index_sequence<I...>) {
  return __builtin_shufflevector(x, y, ((I & H) ? kLanes + I : I + H)...);
}

// block[r] holds row r (lane c: column c) of the square; on return block[c] holds column c.
template <std::size_t H = 1>
[[gnu::always_inline]] inline void transpose(Lanes (&block)[kLanes]) {
  if constexpr (H < kLanes) {
    for (std::size_t r = 0; r < kLanes; ++r)
      if ((r & H) == 0) {
        const Lanes low = interleave_low<H>(block[r], block[r + H], std::make_index_sequence<kLanes>{});
        block[r + H] = interleave_high<H>(block[r], block[r + H], std::make_index_sequence<kLanes>{});
        block[r] = low;
      }
    transpose<2 * H>(block);
  }
}

// out[q·out_stride + r] = from[r·from_stride + q] for r, q < kLanes: a square of kLanes rows, each
// contiguous in `from`, written as its columns.
[[gnu::always_inline]] inline void transpose_square(const Scalar* from, std::size_t from_stride, Scalar* out,
                                                    std::size_t out_stride) {
  Lanes block[kLanes];
  for (std::size_t r = 0; r < kLanes; ++r) block[r] = load_lanes(from + r * from_stride);
  transpose(block);
  for (std::size_t q = 0; q < kLanes; ++q) store_lanes(out + q * out_stride, block[q]);
}
#else
#define GLASSBOX_KERNEL_TRANSPOSE 0
#endif

// Packs A(i0 + i, p0 + p) for i < rows, p < depth into panels of kTileRows rows: panel t holds, for
// each p in turn, the kTileRows values A(i0 + t·kTileRows + r, p0 + p), r = 0 … kTileRows−1. Rows
// past the edge are zeros (their results are computed and thrown away). A row-major A (X in
// Z = X·Wᵀ) is packed kLanes × kLanes squares at a time, transposed in registers.
void pack_a(Strided a, std::size_t i0, std::size_t rows, std::size_t p0, std::size_t depth, Scalar* out) {
  const std::size_t rs = a.row_stride, cs = a.col_stride;
  for (std::size_t t = 0; t < rows; t += kTileRows) {
    const std::size_t valid = lesser(kTileRows, rows - t);
    std::size_t p = 0;
    if (rs == 1 && valid == kTileRows)  // a transposed A (dZᵀ in dW = dZᵀ·X): each panel row is contiguous
      for (; p < depth; ++p, out += kTileRows) std::memcpy(out, a.data + i0 + t + (p0 + p) * cs, sizeof(Scalar) * kTileRows);
#if GLASSBOX_KERNEL_TRANSPOSE
    static_assert(kTileRows % kLanes == 0);
    if (cs == 1 && valid == kTileRows)
      for (; p + kLanes <= depth; p += kLanes, out += kLanes * kTileRows)
        for (std::size_t r = 0; r < kTileRows; r += kLanes)
          transpose_square(a.data + (i0 + t + r) * rs + p0 + p, rs, out + r, kTileRows);
#endif
    for (; p < depth; ++p, out += kTileRows) {
      const Scalar* from = a.data + (i0 + t) * rs + (p0 + p) * cs;
      for (std::size_t r = 0; r < kTileRows; ++r) out[r] = r < valid ? from[r * rs] : Scalar{0};
    }
  }
}

// Packs B(p0 + p, j0 + j) for p < depth, j < cols into panels of kTileCols columns: panel t holds,
// for each p in turn, B(p0 + p, j0 + t·kTileCols + c), c = 0 … kTileCols−1. A transposed B (row
// stride 1, as Wᵀ in Z = X·Wᵀ) is packed kLanes × kLanes squares at a time, transposed in
// registers; without that (the scalar version), read kRun values down each column at a time —
// contiguous runs — into a block of kRun panel rows that stays in L1. Any other B row by row.
void pack_b(Strided b, std::size_t p0, std::size_t depth, std::size_t j0, std::size_t cols, Scalar* out) {
  constexpr std::size_t kRun = 8;
  const std::size_t rs = b.row_stride, cs = b.col_stride;
  for (std::size_t t = 0; t < cols; t += kTileCols) {
    const std::size_t valid = lesser(kTileCols, cols - t);
    std::size_t p = 0;
#if GLASSBOX_KERNEL_TRANSPOSE
    static_assert(kTileCols % kLanes == 0);
    if (rs == 1 && cs != 1 && valid == kTileCols)
      for (; p + kLanes <= depth; p += kLanes, out += kLanes * kTileCols)
        for (std::size_t c = 0; c < kTileCols; c += kLanes)
          transpose_square(b.data + p0 + p + (j0 + t + c) * cs, cs, out + c, kTileCols);
#endif
    if (rs == 1 && cs != 1 && valid == kTileCols)
      for (; p + kRun <= depth; p += kRun, out += kRun * kTileCols)
        for (std::size_t c = 0; c < kTileCols; ++c) {
          const Scalar* from = b.data + p0 + p + (j0 + t + c) * cs;
          for (std::size_t q = 0; q < kRun; ++q) out[q * kTileCols + c] = from[q];
        }
    if (cs == 1 && valid == kTileCols)  // a row-major B (X in dW = dZᵀ·X): each panel row is contiguous
      for (; p < depth; ++p, out += kTileCols) std::memcpy(out, b.data + (p0 + p) * rs + j0 + t, sizeof(Scalar) * kTileCols);
    for (; p < depth; ++p, out += kTileCols) {
      const Scalar* from = b.data + (p0 + p) * rs + (j0 + t) * cs;
      for (std::size_t c = 0; c < kTileCols; ++c) out[c] = c < valid ? from[c * cs] : Scalar{0};
    }
  }
}

// The register tile: C(r, c) += Σ_p a(r, p)·b(p, c) for r < Rows, c < kTileCols, p = 0 … depth−1 in
// increasing order. a and b are packed panels (a's kTileRows rows apart, of which the first Rows
// are used); C is row-major with row stride ldc. Rows < kTileRows serves the last rows of C.
// With from_zero, the sums start from +0 instead of C's values (C is not read): the same bits as
// zeroing C first, since +0 + x = x for every x, −0 included.
template <std::size_t Rows>
void multiply_tile(std::size_t depth, const Scalar* a, const Scalar* b, Scalar* c, std::size_t ldc, bool from_zero) {
  Lanes sum[Rows][kTileVecs];
  for (std::size_t r = 0; r < Rows; ++r)
    for (std::size_t v = 0; v < kTileVecs; ++v) sum[r][v] = from_zero ? Lanes{} : load_lanes(c + r * ldc + v * kLanes);
  for (std::size_t p = 0; p < depth; ++p, a += kTileRows, b += kTileCols) {
    Lanes b_row[kTileVecs];
    for (std::size_t v = 0; v < kTileVecs; ++v) b_row[v] = load_lanes(b + v * kLanes);
    for (std::size_t r = 0; r < Rows; ++r)
      for (std::size_t v = 0; v < kTileVecs; ++v) sum[r][v] += a[r] * b_row[v];  // a[r] fills every lane
  }
  for (std::size_t r = 0; r < Rows; ++r)
    for (std::size_t v = 0; v < kTileVecs; ++v) store_lanes(c + r * ldc + v * kLanes, sum[r][v]);
}

// A tile of full width but only `rows` rows (the last rows of C): a register tile of that height.
template <std::size_t... Rows>
void multiply_short_tile(std::size_t rows, std::size_t depth, const Scalar* a, const Scalar* b, Scalar* c,
                         std::size_t ldc, bool from_zero, std::index_sequence<Rows...>) {
  ((rows == Rows + 1 ? multiply_tile<Rows + 1>(depth, a, b, c, ldc, from_zero) : void()), ...);
}

// A tile cut by the right edge of C (cols < kTileCols) goes through a full-size copy.
void multiply_edge_tile(std::size_t depth, const Scalar* a, const Scalar* b, Scalar* c, std::size_t ldc,
                        std::size_t rows, std::size_t cols, bool from_zero) {
  Scalar tile[kTileRows][kTileCols] = {};
  if (!from_zero)
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < cols; ++j) tile[r][j] = c[r * ldc + j];
  multiply_tile<kTileRows>(depth, a, b, &tile[0][0], kTileCols, false);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < cols; ++j) c[r * ldc + j] = tile[r][j];
}

// ---- the optimizer's step --------------------------------------------------------------------------

#if GLASSBOX_KERNEL_BYTES > 0
using Bits = std::uint64_t __attribute__((vector_size(kVectorBytes)));
#else
using Bits = std::uint64_t;
#endif

// x in every lane, −0 included (0 + x would turn −0 into +0).
Lanes splat(Scalar x) {
  Scalar lanes[kLanes];
  for (std::size_t i = 0; i < kLanes; ++i) lanes[i] = x;
  return load_lanes(lanes);
}
Bits splat_bits(std::uint64_t x) {
  std::uint64_t lanes[kLanes];
  for (std::size_t i = 0; i < kLanes; ++i) lanes[i] = x;
  Bits v;
  std::memcpy(&v, lanes, sizeof v);
  return v;
}

}  // namespace

std::uint64_t scaled_step(Scalar s, const Scalar* g, Scalar* delta, Scalar* theta, std::size_t n) {
  // x is NaN or ±Inf exactly when its exponent bits are all ones: adding 1 to the lowest of them
  // then carries into the sign bit's place. Or-ed over the elements, lane by lane.
  constexpr std::uint64_t kExponent = 0x7ff0000000000000, kExponentOne = 0x0010000000000000;
  const Lanes s_lanes = splat(s);
  const Bits exponent = splat_bits(kExponent), exponent_one = splat_bits(kExponentOne);
  Bits bad = splat_bits(0);
  std::size_t k = 0;
  for (; k + kLanes <= n; k += kLanes) {
    const Lanes d = s_lanes * load_lanes(g + k);  // Δθ = s·g
    store_lanes(delta + k, d);
    const Lanes t = load_lanes(theta + k) + d;    // θ + Δθ
    store_lanes(theta + k, t);
    Bits bits;
    std::memcpy(&bits, &t, sizeof bits);
    bad |= ((bits & exponent) + exponent_one) >> 63;
  }
  std::uint64_t lanes[kLanes];
  std::memcpy(lanes, &bad, sizeof lanes);
  std::uint64_t any = 0;
  for (std::size_t i = 0; i < kLanes; ++i) any |= lanes[i];
  for (; k < n; ++k) {
    delta[k] = s * g[k];
    theta[k] += delta[k];
    std::uint64_t bits;
    std::memcpy(&bits, &theta[k], sizeof bits);
    any |= ((bits & kExponent) + kExponentOne) >> 63;
  }
  return any;
}

PackSizes pack_sizes(std::size_t n, std::size_t m, std::size_t k) {
  const std::size_t depth = lesser(k, kBlockInner);
  return {round_up(lesser(n, kBlockRows), kTileRows) * depth, round_up(lesser(m, kBlockCols), kTileCols) * depth};
}

// An operand packed whole: every block gemm() would pack, one after the other, so that a thread
// computing several slices of C packs the operand they share once. For A (n rows): the blocks of p
// in order, each holding its blocks of rows; for B (m columns): the blocks of columns in order, each
// holding its blocks of p. whole_offset_a/b say where gemm() finds the block it needs.
std::size_t whole_size(bool a_side, std::size_t extent, std::size_t k) {
  return round_up(extent, a_side ? kTileRows : kTileCols) * k;
}
namespace {
std::size_t whole_offset_a(std::size_t n, std::size_t i0, std::size_t p0, std::size_t depth) {
  return round_up(n, kTileRows) * p0 + i0 * depth;
}
std::size_t whole_offset_b(std::size_t k, std::size_t j0, std::size_t cols, std::size_t p0) {
  return j0 * k + round_up(cols, kTileCols) * p0;
}
}  // namespace
void pack_whole(bool a_side, Strided x, std::size_t extent, std::size_t k, Scalar* out) {
  if (a_side) {
    for (std::size_t p0 = 0; p0 < k; p0 += kBlockInner)
      for (std::size_t i0 = 0; i0 < extent; i0 += kBlockRows) {
        const std::size_t depth = lesser(kBlockInner, k - p0);
        pack_a(x, i0, lesser(kBlockRows, extent - i0), p0, depth, out + whole_offset_a(extent, i0, p0, depth));
      }
  } else {
    for (std::size_t j0 = 0; j0 < extent; j0 += kBlockCols)
      for (std::size_t p0 = 0; p0 < k; p0 += kBlockInner) {
        const std::size_t cols = lesser(kBlockCols, extent - j0);
        pack_b(x, p0, lesser(kBlockInner, k - p0), j0, cols, out + whole_offset_b(k, j0, cols, p0));
      }
  }
}

void gemm(std::size_t n, std::size_t m, std::size_t k, Strided a, Strided b, Scalar* c, std::size_t ldc,
          bool overwrite, Scalar* a_packed, Scalar* b_packed, const Scalar* a_whole, const Scalar* b_whole) {
  for (std::size_t j0 = 0; j0 < m; j0 += kBlockCols) {
    const std::size_t cols = lesser(kBlockCols, m - j0);
    for (std::size_t p0 = 0; p0 < k; p0 += kBlockInner) {  // in order: this is the summation order
      const std::size_t depth = lesser(kBlockInner, k - p0);
      const bool from_zero = overwrite && p0 == 0;  // the first block of p, when C is overwritten
      const Scalar* b_block = b_packed;
      if (b_whole)
        b_block = b_whole + whole_offset_b(k, j0, cols, p0);
      else
        pack_b(b, p0, depth, j0, cols, b_packed);
      for (std::size_t i0 = 0; i0 < n; i0 += kBlockRows) {
        const std::size_t rows = lesser(kBlockRows, n - i0);
        const Scalar* a_block = a_packed;
        if (a_whole)
          a_block = a_whole + whole_offset_a(n, i0, p0, depth);
        else
          pack_a(a, i0, rows, p0, depth, a_packed);
        for (std::size_t j = 0; j < cols; j += kTileCols)
          for (std::size_t i = 0; i < rows; i += kTileRows) {
            const Scalar* a_panel = a_block + i * depth;
            const Scalar* b_panel = b_block + j * depth;
            Scalar* c_tile = c + (i0 + i) * ldc + j0 + j;
            if (j + kTileCols > cols)
              multiply_edge_tile(depth, a_panel, b_panel, c_tile, ldc, lesser(kTileRows, rows - i), cols - j,
                                 from_zero);
            else if (i + kTileRows <= rows)
              multiply_tile<kTileRows>(depth, a_panel, b_panel, c_tile, ldc, from_zero);
            else
              multiply_short_tile(rows - i, depth, a_panel, b_panel, c_tile, ldc, from_zero,
                                  std::make_index_sequence<kTileRows - 1>{});
          }
      }
    }
  }
}

}  // namespace glassbox::kernel::detail::GLASSBOX_KERNEL_NAMESPACE
