// glassbox/train/gradcheck.cpp — the finite-difference gradient checker.
#include "glassbox/train/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace glassbox {

std::string_view to_string(ElementVerdict verdict) {
  switch (verdict) {
    case ElementVerdict::good: return "good";
    case ElementVerdict::acceptable: return "acceptable";
    case ElementVerdict::kink: return "kink";
    case ElementVerdict::zero: return "zero";
    case ElementVerdict::round_off: return "round_off";
    case ElementVerdict::fail: return "fail";
  }
  return "?";
}

std::string_view to_string(CheckVerdict verdict) {
  switch (verdict) {
    case CheckVerdict::good: return "good";
    case CheckVerdict::acceptable: return "acceptable";
    case CheckVerdict::fail: return "fail";
    case CheckVerdict::vacuous: return "vacuous";
  }
  return "?";
}

namespace {

// Which elements of a tensor to check: all of them, or a seeded sample of a large matrix.
std::vector<std::size_t> chosen_elements(const Matrix& m, const GradCheckOptions& options, Rng& rng) {
  const bool vector = m.rows() == 1 || m.cols() == 1;
  std::vector<std::size_t> all(m.size());
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = k;
  if (vector || options.max_elements == 0 || m.size() <= options.max_elements) return all;
  std::vector<std::size_t> order = rng.permutation(m.size());
  order.resize(options.max_elements);
  std::sort(order.begin(), order.end());
  return order;
}

std::string element_name(const GradCheckElement& e) { return fmt::format("{}({}, {})", e.tensor, e.row, e.col); }

// A report and a tensor summary count verdicts alike.
template <typename Counts>
void count(Counts& c, ElementVerdict verdict) {
  switch (verdict) {
    case ElementVerdict::good: ++c.good; break;
    case ElementVerdict::acceptable: ++c.acceptable; break;
    case ElementVerdict::kink: ++c.kinks; break;
    case ElementVerdict::zero: ++c.zeros; break;
    case ElementVerdict::round_off: ++c.round_offs; break;
    case ElementVerdict::fail: ++c.failed; break;
  }
}

// fail if any element failed; vacuous if none was compared (a check that cannot fail does not
// pass); acceptable if any element was only acceptable; good otherwise.
template <typename Counts>
CheckVerdict overall(const Counts& c) {
  if (c.failed > 0) return CheckVerdict::fail;
  if (c.good + c.acceptable == 0) return CheckVerdict::vacuous;
  if (c.acceptable > 0) return CheckVerdict::acceptable;
  return CheckVerdict::good;
}

// Buffers as they were when a check began: put back before each of its forward passes, so that
// a training-mode pass that updates them (batch normalization's running statistics) does not
// change the next one, and at the end. Nothing to do for layers without buffers.
class SavedBuffers {
public:
  explicit SavedBuffers(std::vector<BufferRef> buffers) : buffers_(std::move(buffers)) {
    for (const BufferRef& b : buffers_) values_.push_back(b.value);
  }
  void restore() {
    for (std::size_t i = 0; i < buffers_.size(); ++i) buffers_[i].value = values_[i];
  }

private:
  std::vector<BufferRef> buffers_;
  std::vector<Matrix> values_;
};

// Holds the random draws of every layer given (dropout's mask) while it lives: the passes of a check
// after the first reuse that pass's draws.
class HeldDraws {
public:
  explicit HeldDraws(std::vector<Layer*> layers) : layers_(std::move(layers)) {
    for (Layer* layer : layers_) layer->hold_draws(true);
  }
  ~HeldDraws() {
    for (Layer* layer : layers_) layer->hold_draws(false);
  }
  HeldDraws(const HeldDraws&) = delete;
  HeldDraws& operator=(const HeldDraws&) = delete;

private:
  std::vector<Layer*> layers_;
};

const char* mode_name(bool training) { return training ? "train" : "eval"; }

// One mode for the whole check: every layer in the network's mode, and that the one asked for.
void require_one_mode(Network& net, const GradCheckOptions& options, const char* what) {
  for (std::size_t i = 0; i < net.size(); ++i)
    if (net.layer(i).training() != net.training())
      throw std::invalid_argument(fmt::format(
          "{}: the network is in {} mode but layers[{}] ({}) is in {} mode: a check runs every layer in one mode "
          "(call train() or eval() on the network)",
          what, mode_name(net.training()), i, net.layer(i).describe(), mode_name(net.layer(i).training())));
  if (options.training && *options.training != net.training())
    throw std::invalid_argument(fmt::format("{}: asked to check in {} mode but the network is in {} mode (call {}() "
                                            "on it first)",
                                            what, mode_name(*options.training), mode_name(net.training()),
                                            mode_name(*options.training)));
}

std::vector<Layer*> layers_of(Network& net) {
  std::vector<Layer*> layers;
  for (std::size_t i = 0; i < net.size(); ++i) layers.push_back(&net.layer(i));
  return layers;
}

}  // namespace

GradCheckReport check_gradients(std::string subject, std::vector<CheckedTensor> tensors,
                                const std::function<double()>& loss,
                                const std::function<void(std::vector<std::int8_t>&)>& signature,
                                const GradCheckOptions& options) {
  if (!(options.h > 0)) throw std::invalid_argument(fmt::format("gradcheck: h must be positive, got {}", options.h));
  GradCheckReport report;
  report.subject = std::move(subject);
  report.options = options;
  Rng rng(options.seed);
  const bool look_for_kinks = signature && options.detect_kinks;
  std::vector<std::int8_t> sig_plus, sig_minus;

  for (CheckedTensor& t : tensors) {
    if (!t.value->same_shape(t.analytic))
      throw ShapeError(fmt::format("gradcheck: {}: the analytic gradient {} does not match the tensor {}", t.name,
                                   t.analytic.shape(), t.value->shape()));
    Matrix& theta = *t.value;
    GradCheckTensor summary;
    summary.name = t.name;
    summary.shape = theta.shape();
    summary.size = theta.size();
    for (std::size_t k : chosen_elements(theta, options, rng)) {
      const Scalar original = theta.data()[k];
      const Scalar up = original + static_cast<Scalar>(options.h);
      const Scalar down = original - static_cast<Scalar>(options.h);

      theta.data()[k] = up;
      const double f_plus = loss();
      sig_plus.clear();
      if (look_for_kinks) signature(sig_plus);

      theta.data()[k] = down;
      const double f_minus = loss();
      sig_minus.clear();
      if (look_for_kinks) signature(sig_minus);

      theta.data()[k] = original;  // restored exactly

      GradCheckElement e;
      e.tensor = t.name;
      e.row = k / theta.cols();
      e.col = k % theta.cols();
      e.h = options.h;
      e.analytic = static_cast<double>(t.analytic.data()[k]);
      // (f(θ+h) − f(θ−h)) / 2h, with 2h the step actually taken after rounding
      e.numeric = (f_plus - f_minus) / (static_cast<double>(up) - static_cast<double>(down));
      e.kink = sig_plus != sig_minus;
      // the round-off of the difference: f(θ ± h) are each known to about ε·|f|, divided by 2h
      e.round_off = std::numeric_limits<double>::epsilon() * std::max(std::abs(f_plus), std::abs(f_minus)) / options.h;
      const double scale = std::max(std::abs(e.analytic), std::abs(e.numeric));
      if (!std::isfinite(e.analytic) || !std::isfinite(e.numeric)) {
        e.rel_error = std::numeric_limits<double>::infinity();
        e.verdict = ElementVerdict::fail;
      } else if (scale < options.zero) {
        e.rel_error = 0;
        e.verdict = ElementVerdict::zero;
      } else {
        const double difference = std::abs(e.analytic - e.numeric);
        e.rel_error = difference / scale;
        e.verdict = e.rel_error <= options.good                           ? ElementVerdict::good
                    : e.rel_error <= options.acceptable                   ? ElementVerdict::acceptable
                    : e.kink                                              ? ElementVerdict::kink
                    : difference <= options.round_off_margin * e.round_off ? ElementVerdict::round_off
                                                                          : ElementVerdict::fail;
      }
      count(summary, e.verdict);
      count(report, e.verdict);
      const bool compared = e.verdict == ElementVerdict::good || e.verdict == ElementVerdict::acceptable ||
                            e.verdict == ElementVerdict::fail;
      if (compared && (report.worst.empty() || !(e.rel_error <= report.worst_rel_error))) {
        report.worst_rel_error = e.rel_error;
        report.worst = element_name(e);
      }
      if (compared && !(e.rel_error <= summary.worst_rel_error)) summary.worst_rel_error = e.rel_error;
      ++summary.checked;
      report.elements.push_back(std::move(e));
    }
    summary.verdict = overall(summary);
    report.tensors.push_back(std::move(summary));
  }
  // Leave the state as at θ: the layers' caches hold the unperturbed forward pass again.
  loss();

  report.verdict = overall(report);
  return report;
}

// ---- what to check ------------------------------------------------------------------------------

GradCheckReport check_network(Network& net, const Loss& loss, const Matrix& X, const Matrix& T,
                              const GradCheckOptions& options) {
  require_one_mode(net, options, "check_network");
  Matrix input = X;  // perturbed when the input gradient is checked
  // Every pass in the network's mode, from the same buffers; parameters() only, never a buffer.
  SavedBuffers buffers(net.buffers());
  // The analytic gradients at θ, with the random draws every later pass reuses.
  net.zero_grad();
  const Matrix& P = net.forward(input);
  const HeldDraws held(layers_of(net));
  const Matrix dP = loss.gradient(P, T);
  const Matrix dX = net.backward(dP, options.check_input);

  std::vector<CheckedTensor> tensors;
  for (ParameterRef& p : net.parameters()) tensors.push_back({p.name, &p.value, p.grad});
  if (options.check_input) tensors.push_back({"input", &input, dX});
  GradCheckReport report = check_gradients(
      fmt::format("{} with {}", net.describe(), loss.describe()), std::move(tensors),
      [&] {
        buffers.restore();
        return loss.value(net.forward(input), T);
      },
      [&](std::vector<std::int8_t>& s) { net.kink_signature(s); }, options);
  buffers.restore();
  net.forward(X);  // the network's record of its last input must not outlive `input`
  buffers.restore();
  if (net.has_modes()) report.mode = net.mode();
  return report;
}

GradCheckReport check_layer(Layer& layer, const Matrix& X, Rng& rng, const GradCheckOptions& options) {
  if (options.training && *options.training != layer.training())
    throw std::invalid_argument(fmt::format("check_layer: asked to check {} in {} mode but it is in {} mode",
                                            layer.describe(), mode_name(*options.training),
                                            mode_name(layer.training())));
  Matrix input = X;
  SavedBuffers buffers(layer.buffers());  // as in check_network
  layer.zero_grad();
  const Matrix& Y = layer.forward(input);
  const HeldDraws held({&layer});  // as in check_network
  // L = Σ R ⊙ Y, so dL/dY = R
  const Matrix R = Matrix::uniform(Y.rows(), Y.cols(), rng, Scalar{-1}, Scalar{1});
  const bool needed = layer.needs_input_gradient;
  layer.needs_input_gradient = true;
  const Matrix dX = layer.backward(R);
  layer.needs_input_gradient = needed;

  std::vector<CheckedTensor> tensors;
  for (ParameterRef& p : layer.parameters()) tensors.push_back({p.name, &p.value, p.grad});
  tensors.push_back({"input", &input, dX});
  GradCheckReport report = check_gradients(
      fmt::format("{} (L = Σ R⊙Y)", layer.describe()), std::move(tensors),
      [&] {
        buffers.restore();
        return static_cast<double>(dot(R, layer.forward(input)));
      },
      [&](std::vector<std::int8_t>& s) { layer.kink_signature(s); }, options);
  buffers.restore();
  if (layer.has_modes()) report.mode = layer.training() ? "train" : "eval";
  return report;
}

GradCheckReport check_loss(const Loss& loss, const Matrix& P, const Matrix& T, const GradCheckOptions& options) {
  Matrix prediction = P;
  std::vector<CheckedTensor> tensors;
  tensors.push_back({"prediction", &prediction, loss.gradient(P, T)});
  return check_gradients(loss.describe(), std::move(tensors), [&] { return loss.value(prediction, T); }, nullptr,
                         options);
}

GradCheckReport check_function(const std::function<double(const std::vector<double>&)>& f,
                               const std::vector<double>& x, const std::vector<double>& analytic,
                               const GradCheckOptions& options) {
  if (analytic.size() != x.size())
    throw ShapeError(fmt::format("check_function: x has {} elements but the gradient {}", x.size(), analytic.size()));
  Matrix point(x.size(), 1);
  Matrix gradient(x.size(), 1);
  for (std::size_t i = 0; i < x.size(); ++i) {
    point(i, 0) = static_cast<Scalar>(x[i]);
    gradient(i, 0) = static_cast<Scalar>(analytic[i]);
  }
  std::vector<double> args(x.size());
  std::vector<CheckedTensor> tensors;
  tensors.push_back({"x", &point, gradient});
  return check_gradients(
      "f(x)", std::move(tensors),
      [&] {
        for (std::size_t i = 0; i < args.size(); ++i) args[i] = static_cast<double>(point(i, 0));
        return f(args);
      },
      nullptr, options);
}

// ---- reporting ----------------------------------------------------------------------------------

std::string GradCheckReport::summary() const {
  std::string text =
      fmt::format("gradcheck of {}: {} — {} elements: {} good, {} acceptable, {} kink, {} zero, {} round-off, {} fail",
                  subject, to_string(verdict), elements.size(), good, acceptable, kinks, zeros, round_offs, failed);
  if (!worst.empty()) text += fmt::format("; worst relative error {:.3g} at {}", worst_rel_error, worst);
  std::vector<std::string> unjudged;
  for (const GradCheckTensor& t : tensors)
    if (t.verdict == CheckVerdict::vacuous) unjudged.push_back(t.name);
  if (!unjudged.empty() && verdict != CheckVerdict::vacuous)
    text += fmt::format("; no element of {} could be compared", fmt::join(unjudged, ", "));
  if (verdict == CheckVerdict::vacuous)
    text += "; no element could be compared (each was zero, a kink or within round-off): a check that cannot fail "
            "does not pass";
  return text;
}

Table GradCheckReport::table(bool only_problems) const {
  Table t({"tensor", "element", "analytic", "numeric", "h", "rel. error", "verdict"});
  for (const GradCheckElement& e : elements) {
    if (only_problems && e.verdict == ElementVerdict::good) continue;
    t.add_row({e.tensor, fmt::format("({}, {})", e.row, e.col), fmt::format("{:.10g}", e.analytic),
               fmt::format("{:.10g}", e.numeric), fmt::format("{:g}", e.h), fmt::format("{:.3g}", e.rel_error),
               std::string(to_string(e.verdict)) + (e.kink && e.verdict != ElementVerdict::kink ? " (kink)" : "")});
  }
  return t;
}

Table GradCheckReport::tensor_table() const {
  Table t({"tensor", "shape", "checked", "good", "acceptable", "kink", "zero", "round-off", "fail", "worst r",
           "verdict"});
  for (const GradCheckTensor& s : tensors) {
    const bool compared = s.good + s.acceptable + s.failed > 0;
    t.add_row({s.name, s.shape, fmt::format("{}/{}", s.checked, s.size), std::to_string(s.good),
               std::to_string(s.acceptable), std::to_string(s.kinks), std::to_string(s.zeros),
               std::to_string(s.round_offs), std::to_string(s.failed), compared ? fmt::format("{:.3g}", s.worst_rel_error) : "–",
               std::string(to_string(s.verdict))});
  }
  return t;
}

Json GradCheckReport::to_json() const {
  Json rows = Json::array();
  for (const GradCheckElement& e : elements)
    rows.push_back(Json{{"tensor", e.tensor},
                        {"row", e.row},
                        {"col", e.col},
                        {"analytic", glassbox::to_json(e.analytic)},
                        {"numeric", glassbox::to_json(e.numeric)},
                        {"h", e.h},
                        {"round_off", glassbox::to_json(e.round_off)},
                        {"rel_error", glassbox::to_json(e.rel_error)},
                        {"kink", e.kink},
                        {"verdict", std::string(to_string(e.verdict))}});
  Json per_tensor = Json::array();
  for (const GradCheckTensor& s : tensors)
    per_tensor.push_back(Json{{"tensor", s.name},
                              {"shape", s.shape},
                              {"size", s.size},
                              {"checked", s.checked},
                              {"counts", Json{{"good", s.good}, {"acceptable", s.acceptable}, {"kink", s.kinks},
                                              {"zero", s.zeros}, {"round_off", s.round_offs}, {"fail", s.failed}}},
                              {"worst_rel_error", glassbox::to_json(s.worst_rel_error)},
                              {"verdict", std::string(to_string(s.verdict))}});
  Json event;
  event["event"] = "gradcheck";
  event["subject"] = subject;
  if (!mode.empty()) event["mode"] = mode;
  event["h"] = options.h;
  event["thresholds"] = Json{{"good", options.good},
                             {"acceptable", options.acceptable},
                             {"zero", options.zero},
                             {"round_off_margin", options.round_off_margin}};
  event["detect_kinks"] = options.detect_kinks;
  event["counts"] = Json{{"good", good},       {"acceptable", acceptable}, {"kink", kinks},
                         {"zero", zeros},      {"round_off", round_offs},  {"fail", failed}};
  event["worst_rel_error"] = glassbox::to_json(worst_rel_error);
  event["worst"] = worst;
  event["verdict"] = std::string(to_string(verdict));
  event["tensors"] = std::move(per_tensor);
  event["elements"] = std::move(rows);
  return event;
}

// ---- how the step h matters ---------------------------------------------------------------------

std::vector<double> decades(int first, int last) {
  std::vector<double> steps;
  const int direction = first <= last ? 1 : -1;
  for (int e = first;; e += direction) {
    // "1e-7" parsed, not 10^-7 multiplied out: each step is the double nearest to the power of ten
    steps.push_back(std::stod(fmt::format("1e{}", e)));
    if (e == last) break;
  }
  return steps;
}

HSweep h_sweep(std::string subject, std::string element, Scalar& theta, double analytic,
               const std::function<double()>& loss, const std::vector<double>& steps) {
  for (double h : steps)
    if (!(h > 0)) throw std::invalid_argument(fmt::format("h_sweep: every step h must be positive, got {}", h));
  HSweep sweep;
  sweep.subject = std::move(subject);
  sweep.element = std::move(element);
  sweep.theta = static_cast<double>(theta);
  sweep.analytic = analytic;
  const Scalar original = theta;
  auto f_at = [&](double offset) {
    theta = original + static_cast<Scalar>(offset);
    return loss();
  };

  // f‴ ≈ [f(θ+2k) − 2f(θ+k) + 2f(θ−k) − f(θ−2k)] / 2k³
  const double k = HSweep::third_step;
  sweep.third_derivative = (f_at(2 * k) - 2 * f_at(k) + 2 * f_at(-k) - f_at(-2 * k)) / (2 * k * k * k);

  theta = original;
  sweep.f = loss();
  const double eps = std::numeric_limits<double>::epsilon();
  for (double h : steps) {
    HSweepRow row;
    row.h = h;
    const Scalar up = original + static_cast<Scalar>(h);
    const Scalar down = original - static_cast<Scalar>(h);
    theta = up;
    const double f_plus = loss();
    theta = down;
    const double f_minus = loss();
    // 2h is the step actually taken, (θ+h) − (θ−h) after rounding, as in the checker
    row.numeric = (f_plus - f_minus) / (static_cast<double>(up) - static_cast<double>(down));
    row.abs_error = std::abs(row.numeric - analytic);
    const double scale = std::max(std::abs(row.numeric), std::abs(analytic));
    row.rel_error = scale > 0 ? row.abs_error / scale : 0;
    row.truncation = std::abs(sweep.third_derivative) * h * h / 6;
    row.round_off = eps * std::abs(sweep.f) / h;
    sweep.rows.push_back(row);
  }
  theta = original;  // restored exactly
  loss();            // and the state is as at θ again

  for (std::size_t i = 1; i < sweep.rows.size(); ++i)
    if (sweep.rows[i].abs_error < sweep.rows[sweep.best].abs_error) sweep.best = i;
  return sweep;
}

HSweep h_sweep(Network& net, const Loss& loss, const Matrix& X, const Matrix& T, std::string_view parameter,
               std::size_t row, std::size_t col, const std::vector<double>& steps) {
  ParameterRef p = net.parameter(parameter);
  if (row >= p.value.rows() || col >= p.value.cols())
    throw std::out_of_range(fmt::format("h_sweep: {} is {}; it has no element ({}, {})", p.name, p.value.shape(), row,
                                        col));
  require_one_mode(net, {}, "h_sweep");
  SavedBuffers buffers(net.buffers());  // as in check_network
  net.zero_grad();
  const Matrix& P = net.forward(X);
  const HeldDraws held(layers_of(net));  // as in check_network
  net.backward(loss.gradient(P, T));
  const double analytic = static_cast<double>(p.grad(row, col));
  HSweep sweep = h_sweep(fmt::format("{} with {}", net.describe(), loss.describe()),
                         fmt::format("{}({}, {})", p.name, row, col), p.value(row, col), analytic,
                         [&] {
                           buffers.restore();
                           return loss.value(net.forward(X), T);
                         },
                         steps);
  buffers.restore();
  if (net.has_modes()) sweep.mode = net.mode();
  return sweep;
}

double HSweep::predicted_best_h() const {
  if (third_derivative == 0) return 0;
  const double eps = std::numeric_limits<double>::epsilon();
  return std::cbrt(3 * eps * std::abs(f) / std::abs(third_derivative));
}

Table HSweep::table() const {
  Table t({"h", "numeric", "|n − a|", "rel. error", "≈ f‴h²/6", "≈ ε|f|/h", "larger term"});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const HSweepRow& r = rows[i];
    t.add_row({fmt::format("{:g}", r.h), fmt::format("{:.12f}", r.numeric), fmt::format("{:.2e}", r.abs_error),
               fmt::format("{:.2e}", r.rel_error), fmt::format("{:.2e}", r.truncation),
               fmt::format("{:.2e}", r.round_off),
               std::string(r.truncation >= r.round_off ? "truncation" : "round-off") + (i == best ? "   ← best" : "")});
  }
  return t;
}

Json HSweep::to_json() const {
  Json rows_json = Json::array();
  for (const HSweepRow& r : rows)
    rows_json.push_back(Json{{"h", r.h},
                             {"numeric", glassbox::to_json(r.numeric)},
                             {"abs_error", glassbox::to_json(r.abs_error)},
                             {"rel_error", glassbox::to_json(r.rel_error)},
                             {"truncation", glassbox::to_json(r.truncation)},
                             {"round_off", glassbox::to_json(r.round_off)}});
  Json event;
  event["event"] = "h_sweep";
  event["subject"] = subject;
  event["element"] = element;
  if (!mode.empty()) event["mode"] = mode;
  event["theta"] = glassbox::to_json(theta);
  event["analytic"] = glassbox::to_json(analytic);
  event["f"] = glassbox::to_json(f);
  event["third_derivative"] = glassbox::to_json(third_derivative);
  event["epsilon"] = std::numeric_limits<double>::epsilon();
  event["predicted_best_h"] = glassbox::to_json(predicted_best_h());
  event["best_h"] = rows.empty() ? 0.0 : rows[best].h;
  event["rows"] = std::move(rows_json);
  return event;
}

}  // namespace glassbox
