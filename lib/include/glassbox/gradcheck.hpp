// glassbox/gradcheck.hpp — checking analytic gradients against finite differences.
//
// For every checked element θ_i of a tensor, with the other elements held fixed:
//
//   numeric  n = (f(θ + h·e_i) − f(θ − h·e_i)) / 2h        (centered difference, error O(h²))
//   analytic a = what backward() computed
//   relative error r = |a − n| / max(|a|, |n|)
//
// computed in double. The step actually taken is used as 2h: (θ+h) − (θ−h) after rounding.
//
// Verdict per element (thresholds in GradCheckOptions, defaults shown):
//   zero        max(|a|, |n|) < 1e-10: both ~0, no relative error is meaningful; r is reported as 0
//               and the element neither passes nor fails
//   good        r ≤ 1e-7
//   acceptable  r ≤ 1e-4 (to be expected only near kinks, or with a loss of precision)
//   kink        r > 1e-4, but the two perturbed forward passes fell on different pieces of a
//               piecewise layer (a ReLU input changed sign): the finite difference straddles the
//               kink and measures neither side's derivative, so the element is flagged, not failed
//   fail        r > 1e-4 otherwise
// Overall: fail if any element failed; vacuous if no element was compared (all zero or kink) — a
// check that cannot fail does not pass; otherwise acceptable if any element was, else good.
// passed() is true for good and acceptable.
//
// Large tensors can be sampled: a matrix parameter with more than `max_elements` elements has a
// seeded random sample of that many checked; vectors (biases, one row or one column) are always
// checked in full.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/layer.hpp"
#include "glassbox/losses.hpp"
#include "glassbox/network.hpp"
#include "glassbox/random.hpp"
#include "glassbox/table.hpp"
#include "glassbox/trace.hpp"

namespace glassbox {

struct GradCheckOptions {
  double h = 1e-5;            // the perturbation
  double good = 1e-7;         // r ≤ good: good
  double acceptable = 1e-4;   // r ≤ acceptable: acceptable; above: fail (or kink)
  double zero = 1e-10;        // max(|a|, |n|) below this: the element is "zero"
  std::size_t max_elements = 0;  // per matrix parameter; 0 checks every element
  std::uint64_t seed = 1;        // for the sample
  bool check_input = false;      // networks: also check dL/dX (a layer's check always does)
};

enum class ElementVerdict { good, acceptable, kink, zero, fail };
enum class CheckVerdict { good, acceptable, fail, vacuous };
std::string_view to_string(ElementVerdict verdict);
std::string_view to_string(CheckVerdict verdict);

struct GradCheckElement {
  std::string tensor;  // "layers[0].W", "input", "x"
  std::size_t row = 0;
  std::size_t col = 0;
  double analytic = 0;
  double numeric = 0;
  double h = 0;
  double rel_error = 0;
  bool kink = false;  // the perturbation crossed a kink (reported whatever the verdict)
  ElementVerdict verdict = ElementVerdict::good;
};

struct GradCheckReport {
  std::string subject;  // what was checked: "Dense(2→3, relu) with mse(mean)"
  GradCheckOptions options;
  std::vector<GradCheckElement> elements;
  std::size_t good = 0, acceptable = 0, kinks = 0, zeros = 0, failed = 0;  // counts by verdict
  double worst_rel_error = 0;     // over the compared (good, acceptable, fail) elements
  std::string worst;              // "layers[0].W(1, 0)"; empty if nothing was compared
  CheckVerdict verdict = CheckVerdict::vacuous;

  bool passed() const { return verdict == CheckVerdict::good || verdict == CheckVerdict::acceptable; }
  // "gradcheck of …: good — 26 elements: 26 good, 0 acceptable, 0 kink, 0 zero, 0 fail; worst r = 3e-11 at …"
  std::string summary() const;
  // One row per element (only those not good when only_problems).
  Table table(bool only_problems = false) const;
  // The trace event "gradcheck", every checked element in it.
  Json to_json() const;
};

// The network's parameter gradients (and dL/dX with options.check_input) for the loss of the batch
// (X, T): L = loss.value(net.forward(X), T). Parameters are restored exactly afterwards; the
// gradient buffers hold the analytic gradients and the layers' caches the forward pass at θ.
GradCheckReport check_network(Network& net, const Loss& loss, const Matrix& X, const Matrix& T,
                              const GradCheckOptions& options = {});

// One layer alone, through the scalar L = Σ R ⊙ layer.forward(X) with R drawn from rng (so
// dL/dY = R, every output weighted differently): its parameter gradients and dL/dX.
GradCheckReport check_layer(Layer& layer, const Matrix& X, Rng& rng, const GradCheckOptions& options = {});

// A loss's gradient dL/dP at the prediction P for the target T.
GradCheckReport check_loss(const Loss& loss, const Matrix& P, const Matrix& T, const GradCheckOptions& options = {});

// Any scalar function f: ℝⁿ → ℝ against its analytic gradient at x (tensor "x", element (i, 0)).
GradCheckReport check_function(const std::function<double(const std::vector<double>&)>& f,
                               const std::vector<double>& x, const std::vector<double>& analytic,
                               const GradCheckOptions& options = {});

// The engine the checks above share: perturbs each element of each tensor in place, calls
// `loss()` at θ ± h, compares with `analytic` and restores θ. `signature`, if given, appends the
// kink signature of the state after the last loss() call.
struct CheckedTensor {
  std::string name;
  Matrix* value;    // perturbed in place
  Matrix analytic;  // dL/d(value), same shape
};
GradCheckReport check_gradients(std::string subject, std::vector<CheckedTensor> tensors,
                                const std::function<double()>& loss,
                                const std::function<void(std::vector<std::int8_t>&)>& signature,
                                const GradCheckOptions& options);

}  // namespace glassbox
