// glassbox/train/gradcheck.hpp — checking analytic gradients against finite differences.
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
//   round_off   r > 1e-4, but |a − n| ≤ 10·ε·|f|/h: the disagreement is within the round-off of the
//               centered difference itself (see "How h matters" below), so a derivative this small
//               cannot be judged at this h; it neither passes nor fails
//   fail        r > 1e-4 otherwise
// Overall: fail if any element failed; vacuous if no element was compared (all zero, kink or
// round_off) — a check that cannot fail does not pass; otherwise acceptable if any element was,
// else good. passed() is true for good and acceptable.
//
// The floor: when both |a| and |n| are below `zero` (1e-10), the two agree that the derivative is
// ~0 and their ratio is only round-off; such an element is reported as "zero" with r = 0. The
// floor is absolute, sized for losses of order 1: there the round-off in n is about ε·|L|/h ≈ 2e-11.
//
// Kinks: the layers report which piece of a piecewise function each element fell on
// (Layer::kink_signature); the checker compares the signatures of the forward passes at θ + h and
// θ − h. With options.detect_kinks = false it does not look, and a straddled kink fails like a bug.
//
// Large tensors can be sampled: a matrix parameter with more than `max_elements` elements has a
// seeded random sample of that many checked; vectors (biases, one row or one column) are always
// checked in full.
//
// Mode and buffers (nn/layer.hpp): a network or layer is checked in the mode it is in — put it
// in training mode to check what training differentiates (chapter 11 checks batch normalization
// so), in evaluation mode for what inference computes. The analytic pass and every perturbed pass
// run in that one mode, and each starts from the buffers as they were before the check (a
// training-mode forward pass may update them, as batch normalization's running statistics), so
// f(θ + h) and f(θ − h) differ only by the perturbation; the buffers are restored at the end.
// Buffers are not checked: only parameters() (and the input) have gradients. A layer whose
// training-mode forward draws random numbers (dropout) draws once, in the analytic pass; the
// checker then holds its draws (Layer::hold_draws) so that every perturbed pass uses the same
// mask, and lets go at the end. Batch normalization in training mode recomputes the batch's μ and σ²
// in every pass, so the check differentiates through them.
// Mixed modes are refused (std::invalid_argument): a network some of whose layers are in the other
// mode than the network (set one by one with Layer::set_training), and a network or layer not in
// the mode options.training asks for.
//
// How h matters (h_sweep below): the centered difference's error has two parts,
//   truncation  n − f′ = f‴·h²/6 + O(h⁴)    shrinks 100× per decade of h
//   round-off   ≈ ε·|f| / h                 grows 10× per decade (f is known to about ε·|f| only)
// so it is smallest near h* = (3ε·|f| / |f‴|)^(1/3), ≈ ε^(1/3) ≈ 6e-6 when |f| ≈ |f‴|; ε = 2.2e-16
// is double's machine epsilon. h = 1e-5 is the default for that reason.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/nn/layer.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/core/table.hpp"
#include "glassbox/core/json.hpp"

namespace glassbox {

struct GradCheckOptions {
  double h = 1e-5;            // the perturbation
  double good = 1e-7;         // r ≤ good: good
  double acceptable = 1e-4;   // r ≤ acceptable: acceptable; above: fail (or kink)
  double zero = 1e-10;        // max(|a|, |n|) below this: the element is "zero"
  double round_off_margin = 10;  // |a − n| ≤ this·ε·|f|/h: within round-off (a margin for the
                                 // rounding inside f and for truncation)
  std::size_t max_elements = 0;  // per matrix parameter; 0 checks every element
  std::uint64_t seed = 1;        // for the sample
  bool check_input = false;      // networks: also check dL/dX (a layer's check always does)
  bool detect_kinks = true;      // compare the kink signatures at θ ± h (false: a crossed kink fails)
  // The mode the check must run in: true = training, false = evaluation. Set, a network or layer in
  // the other mode is refused (std::invalid_argument) instead of checked; unset, the check runs in
  // whatever mode it is in.
  std::optional<bool> training;
};

enum class ElementVerdict { good, acceptable, kink, zero, round_off, fail };
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
  double round_off = 0;  // ε·max(|f(θ+h)|, |f(θ−h)|) / h: how finely the numeric value can resolve
  double rel_error = 0;
  bool kink = false;  // the perturbation crossed a kink (reported whatever the verdict)
  ElementVerdict verdict = ElementVerdict::good;
};

// The elements of one tensor, counted by verdict.
struct GradCheckTensor {
  std::string name;          // "layers[0].W"
  std::string shape;         // "(3×2)"
  std::size_t size = 0;      // its elements
  std::size_t checked = 0;   // of them checked (fewer when sampled)
  std::size_t good = 0, acceptable = 0, kinks = 0, zeros = 0, round_offs = 0, failed = 0;
  double worst_rel_error = 0;  // over its compared elements
  CheckVerdict verdict = CheckVerdict::vacuous;  // by the same rule as the whole check
};

struct GradCheckReport {
  std::string subject;  // what was checked: "Dense(2→3, relu) with mse(mean)"
  std::string mode;     // "train" or "eval" when the subject has mode-dependent layers; empty otherwise
  GradCheckOptions options;
  std::vector<GradCheckElement> elements;
  std::vector<GradCheckTensor> tensors;  // one per tensor, in the order checked
  std::size_t good = 0, acceptable = 0, kinks = 0, zeros = 0, round_offs = 0, failed = 0;  // by verdict
  double worst_rel_error = 0;     // over the compared (good, acceptable, fail) elements
  std::string worst;              // "layers[0].W(1, 0)"; empty if nothing was compared
  CheckVerdict verdict = CheckVerdict::vacuous;

  bool passed() const { return verdict == CheckVerdict::good || verdict == CheckVerdict::acceptable; }
  // "gradcheck of …: good — 26 elements: 26 good, 0 acceptable, 0 kink, 0 zero, 0 round-off, 0 fail;
  //  worst relative error 3e-11 at …"
  std::string summary() const;
  // One row per element (only those not good when only_problems): tensor, element, analytic,
  // numeric, h, relative error, verdict.
  Table table(bool only_problems = false) const;
  // One row per tensor: elements checked (of its size), the count of each verdict, the worst r.
  Table tensor_table() const;
  // The trace event "gradcheck", every checked element in it.
  Json to_json() const;
};

// The network's parameter gradients (and dL/dX with options.check_input) for the loss of the batch
// (X, T): L = loss.value(net.forward(X), T), in the network's mode. Parameters and buffers are
// restored exactly afterwards; the gradients hold the analytic gradients and the layers' caches
// the forward pass at θ.
GradCheckReport check_network(Network& net, const Loss& loss, const Matrix& X, const Matrix& T,
                              const GradCheckOptions& options = {});

// One layer alone, through the scalar L = Σ R ⊙ layer.forward(X) with R drawn from rng (so
// dL/dY = R, every output weighted differently): its parameter gradients and dL/dX, in the layer's
// mode, its buffers restored.
GradCheckReport check_layer(Layer& layer, const Matrix& X, Rng& rng, const GradCheckOptions& options = {});

// A loss's gradient dL/dP at the prediction P for the target T.
GradCheckReport check_loss(const Loss& loss, const Matrix& P, const Matrix& T, const GradCheckOptions& options = {});

// Any scalar function f: ℝⁿ → ℝ against its analytic gradient at x (tensor "x", element (i, 0)).
GradCheckReport check_function(const std::function<double(const std::vector<double>&)>& f,
                               const std::vector<double>& x, const std::vector<double>& analytic,
                               const GradCheckOptions& options = {});

// The engine the checks above share: perturbs each element of each tensor in place, calls
// `loss()` at θ ± h, compares with `analytic` and restores θ. `signature`, if given (and
// options.detect_kinks), appends the kink signature of the state after the last loss() call.
struct CheckedTensor {
  std::string name;
  Matrix* value;    // perturbed in place
  Matrix analytic;  // dL/d(value), same shape
};
GradCheckReport check_gradients(std::string subject, std::vector<CheckedTensor> tensors,
                                const std::function<double()>& loss,
                                const std::function<void(std::vector<std::int8_t>&)>& signature,
                                const GradCheckOptions& options);

// ---- how the step h matters ---------------------------------------------------------------------

// The centered difference of one element at one h.
struct HSweepRow {
  double h = 0;
  double numeric = 0;     // (f(θ+h) − f(θ−h)) / 2h
  double abs_error = 0;   // |numeric − analytic|
  double rel_error = 0;   // |numeric − analytic| / max(|analytic|, |numeric|), as the checker's r
  double truncation = 0;  // the model's truncation error |f‴|·h²/6
  double round_off = 0;   // the model's round-off error ε·|f|/h
};

// The same derivative by finite differences at every h of a list, against the analytic value.
struct HSweep {
  std::string subject;   // what f is: "Dense(4→8, tanh) → … with softmax_cross_entropy(mean)"
  std::string element;   // which θ: "layers[0].W(0, 0)"
  std::string mode;      // "train" or "eval" for a network with mode-dependent layers; empty otherwise
  double theta = 0;      // its value
  double analytic = 0;   // f′ from the backward pass (or a formula)
  double f = 0;          // f(θ)
  // f‴ by the five-point third difference [f(θ+2k) − 2f(θ+k) + 2f(θ−k) − f(θ−2k)] / 2k³,
  // k = third_step, for the model columns
  double third_derivative = 0;
  static constexpr double third_step = 1e-3;
  std::vector<HSweepRow> rows;  // in the order of the steps given
  std::size_t best = 0;         // the row with the smallest abs_error

  // The h that minimises the model |f‴|·h²/6 + ε·|f|/h: (3ε·|f| / |f‴|)^(1/3); 0 if f‴ = 0.
  double predicted_best_h() const;
  // h, numeric, |n − a|, relative error, the two model terms, which of them is larger.
  Table table() const;
  // The trace event "h_sweep".
  Json to_json() const;
};

// 10^first, 10^(first−1), …, 10^last: decades(-1, -12) is 1e-1 … 1e-12.
std::vector<double> decades(int first, int last);

// f: the scalar `loss()` as a function of `theta` alone, which is perturbed in place and restored
// exactly; `analytic` is df/dθ. Throws std::invalid_argument for a step that is not positive.
HSweep h_sweep(std::string subject, std::string element, Scalar& theta, double analytic,
               const std::function<double()>& loss, const std::vector<double>& steps);
// The network's loss on (X, T) as a function of one element of one parameter ("layers[0].W", row,
// col); the analytic derivative from a fresh backward pass, all in the network's mode. Parameters
// and buffers are restored (each pass starts from the buffers as they were), the caches hold the
// forward pass at θ, the gradients the analytic gradients.
HSweep h_sweep(Network& net, const Loss& loss, const Matrix& X, const Matrix& T, std::string_view parameter,
               std::size_t row, std::size_t col, const std::vector<double>& steps);

}  // namespace glassbox
