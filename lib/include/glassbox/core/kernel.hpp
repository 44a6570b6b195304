// glassbox/core/kernel.hpp — the matrix-product kernel: C += A·B, cache-blocked and vectorised, with the
// textbook loop's summation order (so with its bits).
//
// Matrix's products (matmul, matmul_abt, matmul_atb in matrix.hpp) check shapes and call this; a
// program should call those. The kernel is public for benchmarks and for code that wants a product
// of strided views without copying. How it works and why its results do not depend on the machine:
// lib/src/core/kernel.cpp.
#pragma once

#include <cstddef>

#include "glassbox/core/matrix.hpp"

namespace glassbox::kernel {

// A matrix read through strides: element (i, j) at data[i·row_stride + j·col_stride]. A row-major
// matrix has strides (cols, 1); its transpose, read in place, has (1, cols).
struct Strided {
  const Scalar* data;
  std::size_t row_stride, col_stride;
  Scalar operator()(std::size_t i, std::size_t j) const { return data[i * row_stride + j * col_stride]; }
};

// C += A·B for A:(n×k) and B:(k×m) read through strides, C:(n×m) row-major.
// n, m or k may be 0. No shape is checked: the caller has.
void gemm(std::size_t n, std::size_t m, std::size_t k, Strided a, Strided b, Scalar* c);

}  // namespace glassbox::kernel
