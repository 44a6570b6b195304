// glassbox/train/update_blocks.hpp — how the optimizers' element-wise loops are shared between the
// product kernel's threads. Private to lib/src/train (optimizers.cpp, adaptive_optimizers.cpp).
//
// A large parameter's elements are cut into blocks of whole rows, 16 at a time — as the forward pass
// Z = X·Wᵀ cuts W's rows and the gradient dW = dZᵀ·X is cut by rows (kernel.hpp, Split::rows) — and
// block t runs on thread t, so each thread updates the rows of W and reads the rows of dW that it
// has in its own cache (unless another thread has taken over a slice of its block: kernel.hpp,
// set_threads). Every element's update reads and writes only that element (of θ, its gradient, Δθ
// and the optimizer's state), so the bits do not depend on the cut, the thread count or which
// thread runs a slice.
#pragma once

#include <cstddef>

#include "glassbox/core/kernel.hpp"
#include "glassbox/core/matrix.hpp"

namespace glassbox::detail {

// Rows of θ per unit of the cut, and what an element's update counts for against
// kernel::kParallelWork (it reads and writes several numbers: a small parameter stays on one thread).
constexpr std::size_t kUpdateRowsPerBlock = 16, kUpdateWork = 4;

// body(begin, end) over blocks of θ's elements (row-major indices), on the kernel's threads.
template <class Body>
void for_each_update_block(const Matrix& theta, Body&& body) {
  kernel::parallel_for(theta.size(), kUpdateRowsPerBlock * theta.cols(), kUpdateWork, body);
}

}  // namespace glassbox::detail
