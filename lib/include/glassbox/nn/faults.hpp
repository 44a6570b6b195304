// glassbox/nn/faults.hpp — TEACHING FAULTS: layers whose backward pass is deliberately wrong.
//
// N = batch size (one sample per row), in = inputs, out = units.
//
// Nothing here is for training. These layers exist so that a gradient check can be seen to catch
// the mistakes people really make when writing backward passes by hand — chapter 07 shows them
// failing, and the gradient checker's tests use them as the cases it must reject. Each forward
// pass is exactly the correct layer's; only the backward pass is wrong, in one named way.
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/nn/activations.hpp"
#include "glassbox/nn/dense.hpp"

namespace glassbox {

// What a FaultyDense gets wrong. The correct dense backward is
//   dL/dW += dZᵀ·X   (out×in) ;   dL/db += Σ_rows dZ   (1×out) ;   dL/dX = dZ·W   (N×in)
enum class DenseFault {
  // dL/dW += Xᵀ·dZ: the transpose put on the wrong factor, so the gradient comes out transposed,
  // (in×out). Shapes fit only for a square W (in = out), which is why the mistake survives.
  dW_transposed,
  // dL/db += dZ row 0: the bias gradient of the first sample only, as if the batch had one row.
  // Right for N = 1, wrong for every larger batch — a check on one sample cannot see it.
  db_first_row,
  // dL/dW += 1.01·dZᵀ·X: off by 1%, the size of error a dropped term or a wrong constant makes.
  dW_scaled,
  // dL/db never accumulated: the bias gets no gradient.
  db_missing,
};
std::string_view to_string(DenseFault fault);
// Every fault, in the order above.
const std::vector<DenseFault>& dense_faults();

// A dense layer (see dense.hpp) whose backward pass has `fault`. Its parameters are named "W" and
// "b" like Dense's; it prints as "FaultyDense(in→out, <fault>)".
class FaultyDense final : public Layer {
public:
  // The same weights as `correct`. Throws ShapeError for dW_transposed unless W is square.
  FaultyDense(Dense correct, DenseFault fault);

  std::string describe() const override;
  std::size_t input_width() const override { return dense.input_width(); }
  std::size_t output_width() const override { return dense.output_width(); }

  Dense dense;  // W, b, dW, db and the caches X, Z, dX live here
  DenseFault fault;

  // Z = X·Wᵀ + b, exactly Dense::forward
  const Matrix& forward(const Matrix& X) override { return dense.forward(X); }
  // Dense::backward with the fault (see DenseFault)
  const Matrix& backward(const Matrix& dZ) override;

  std::vector<ParameterRef> parameters() override { return dense.parameters(); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<FaultyDense>(*this); }
};

// A sigmoid whose derivative is a·(1 − a) applied to z instead of a: g'(z) = z·(1 − z). The
// forward pass is the sigmoid's; every gradient flowing back through it is wrong.
struct SigmoidPrimeOfZ {
  static constexpr const char* name = "faulty_sigmoid";
  Scalar value(Scalar z) const { return Scalar{1} / (Scalar{1} + std::exp(-z)); }
  Scalar gradient(Scalar z, Scalar) const { return z * (Scalar{1} - z); }  // the fault: should be a·(1 − a)
  std::string describe() const { return "faulty_sigmoid(σ′ = z(1 − z))"; }
};

}  // namespace glassbox
