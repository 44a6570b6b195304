// glassbox/core/kernel_widths.hpp — the versions of the product kernel this build carries, one per
// SIMD width (kernel_impl.hpp compiled once per width), for kernel.cpp to choose from. Private to
// lib/src/core.
#pragma once

#include <cstddef>
#include <cstdint>

#include "glassbox/core/kernel.hpp"

// The x86-64 widths need GCC's or Clang's vector extension and per-file instruction sets; any other
// compiler or processor gets the plain-scalar version only.
#if defined(__GNUC__) && (defined(__x86_64__) || defined(_M_X64))
#define GLASSBOX_KERNEL_X86 1
#else
#define GLASSBOX_KERNEL_X86 0
#endif

namespace glassbox::kernel::detail {

// How many Scalars the packed panels of A and of B need for a product of these sizes.
struct PackSizes {
  std::size_t a, b;
};

// Each width's kernel: C += A·B for A:(n×k), B:(k×m), C:(n×m) row-major with row stride ldc, or with
// `overwrite` C = A·B (C not read: the bits of zeroing C first), using packing buffers of
// pack_sizes(n, m, k) Scalars, aligned to 64 bytes. a_whole or b_whole, when not null, is that
// operand already packed whole by pack_whole() (whole_size() Scalars): gemm() then reads it instead
// of packing. And the optimizer's step (kernel::scaled_step), returning nonzero when a new θ is not
// finite.
#define GLASSBOX_DECLARE_KERNEL(width)                                                                 \
  namespace width {                                                                                    \
  PackSizes pack_sizes(std::size_t n, std::size_t m, std::size_t k);                                   \
  void gemm(std::size_t n, std::size_t m, std::size_t k, Strided a, Strided b, Scalar* c, std::size_t ldc, \
            bool overwrite, Scalar* a_packed, Scalar* b_packed, const Scalar* a_whole,                 \
            const Scalar* b_whole);                                                                     \
  std::size_t whole_size(bool a_side, std::size_t extent, std::size_t k);                              \
  void pack_whole(bool a_side, Strided x, std::size_t extent, std::size_t k, Scalar* out);             \
  std::uint64_t scaled_step(Scalar s, const Scalar* g, Scalar* delta, Scalar* theta, std::size_t n);    \
  }
#if GLASSBOX_KERNEL_X86
GLASSBOX_DECLARE_KERNEL(sse2)
GLASSBOX_DECLARE_KERNEL(avx2)
GLASSBOX_DECLARE_KERNEL(avx512)
#else
GLASSBOX_DECLARE_KERNEL(scalar)
#endif
#undef GLASSBOX_DECLARE_KERNEL

}  // namespace glassbox::kernel::detail
