// glassbox/nn/faults.cpp — the teaching faults' wrong backward passes.
#include "glassbox/nn/faults.hpp"

#include <fmt/format.h>

namespace glassbox {

std::string_view to_string(DenseFault fault) {
  switch (fault) {
    case DenseFault::dW_transposed: return "dW_transposed";
    case DenseFault::db_first_row: return "db_first_row";
    case DenseFault::dW_scaled: return "dW_scaled";
    case DenseFault::db_missing: return "db_missing";
  }
  return "?";
}

const std::vector<DenseFault>& dense_faults() {
  static const std::vector<DenseFault> all = {DenseFault::dW_transposed, DenseFault::db_first_row,
                                              DenseFault::dW_scaled, DenseFault::db_missing};
  return all;
}

FaultyDense::FaultyDense(Dense correct, DenseFault which) : dense(std::move(correct)), fault(which) {
  if (fault == DenseFault::dW_transposed && dense.input_width() != dense.output_width())
    throw ShapeError(fmt::format("FaultyDense: {} with dW_transposed: Xᵀ·dZ is ({}×{}) and W is {}; the fault "
                                 "needs a square W (in = out)",
                                 dense.describe(), dense.input_width(), dense.output_width(), dense.W.shape()));
}

std::string FaultyDense::describe() const {
  return fmt::format("FaultyDense({}→{}, {})", dense.input_width(), dense.output_width(), to_string(fault));
}

const Matrix& FaultyDense::backward(const Matrix& dZ) {
  require_output_shape(dZ, dense.Z);
  const Matrix& X = *dense.X;

  // dL/dW
  if (fault == DenseFault::dW_transposed) {
    matmul_atb_into(dense.dW, X, dZ, /*accumulate=*/true);  // Xᵀ·dZ: should be dZᵀ·X
  } else if (fault == DenseFault::dW_scaled) {
    const Matrix dW_batch = matmul_atb(dZ, X);
    for (std::size_t i = 0; i < dW_batch.size(); ++i) dense.dW.data()[i] += Scalar{1.01} * dW_batch.data()[i];
  } else {
    matmul_atb_into(dense.dW, dZ, X, /*accumulate=*/true);  // dZᵀ·X, correct
  }

  // dL/db
  if (fault == DenseFault::db_first_row) {
    for (std::size_t j = 0; j < dZ.cols(); ++j) dense.db(0, j) += dZ(0, j);  // should sum every row
  } else if (fault != DenseFault::db_missing) {
    for (std::size_t n = 0; n < dZ.rows(); ++n)
      for (std::size_t j = 0; j < dZ.cols(); ++j) dense.db(0, j) += dZ(n, j);  // Σ_rows dZ, correct
  }

  // dL/dX = dZ·W, correct in every fault
  if (needs_input_gradient)
    matmul_into(dense.dX, dZ, dense.W);
  else
    dense.dX = Matrix();
  return dense.dX;
}

}  // namespace glassbox
