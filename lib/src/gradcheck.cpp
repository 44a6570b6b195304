// glassbox/gradcheck.cpp — the finite-difference gradient checker.
#include "glassbox/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace glassbox {

std::string_view to_string(ElementVerdict verdict) {
  switch (verdict) {
    case ElementVerdict::good: return "good";
    case ElementVerdict::acceptable: return "acceptable";
    case ElementVerdict::kink: return "kink";
    case ElementVerdict::zero: return "zero";
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
  std::vector<std::int8_t> sig_plus, sig_minus;

  for (CheckedTensor& t : tensors) {
    if (!t.value->same_shape(t.analytic))
      throw ShapeError(fmt::format("gradcheck: {}: the analytic gradient {} does not match the tensor {}", t.name,
                                   t.analytic.shape(), t.value->shape()));
    Matrix& theta = *t.value;
    for (std::size_t k : chosen_elements(theta, options, rng)) {
      const Scalar original = theta.data()[k];
      const Scalar up = original + static_cast<Scalar>(options.h);
      const Scalar down = original - static_cast<Scalar>(options.h);

      theta.data()[k] = up;
      const double f_plus = loss();
      sig_plus.clear();
      if (signature) signature(sig_plus);

      theta.data()[k] = down;
      const double f_minus = loss();
      sig_minus.clear();
      if (signature) signature(sig_minus);

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
      const double scale = std::max(std::abs(e.analytic), std::abs(e.numeric));
      if (!std::isfinite(e.analytic) || !std::isfinite(e.numeric)) {
        e.rel_error = std::numeric_limits<double>::infinity();
        e.verdict = ElementVerdict::fail;
      } else if (scale < options.zero) {
        e.rel_error = 0;
        e.verdict = ElementVerdict::zero;
      } else {
        e.rel_error = std::abs(e.analytic - e.numeric) / scale;
        e.verdict = e.rel_error <= options.good         ? ElementVerdict::good
                    : e.rel_error <= options.acceptable ? ElementVerdict::acceptable
                    : e.kink                            ? ElementVerdict::kink
                                                        : ElementVerdict::fail;
      }
      switch (e.verdict) {
        case ElementVerdict::good: ++report.good; break;
        case ElementVerdict::acceptable: ++report.acceptable; break;
        case ElementVerdict::kink: ++report.kinks; break;
        case ElementVerdict::zero: ++report.zeros; break;
        case ElementVerdict::fail: ++report.failed; break;
      }
      const bool compared = e.verdict == ElementVerdict::good || e.verdict == ElementVerdict::acceptable ||
                            e.verdict == ElementVerdict::fail;
      if (compared && (report.worst.empty() || !(e.rel_error <= report.worst_rel_error))) {
        report.worst_rel_error = e.rel_error;
        report.worst = element_name(e);
      }
      report.elements.push_back(std::move(e));
    }
  }
  // Leave the state as at θ: the layers' caches hold the unperturbed forward pass again.
  loss();

  if (report.failed > 0)
    report.verdict = CheckVerdict::fail;
  else if (report.good + report.acceptable == 0)
    report.verdict = CheckVerdict::vacuous;
  else if (report.acceptable > 0)
    report.verdict = CheckVerdict::acceptable;
  else
    report.verdict = CheckVerdict::good;
  return report;
}

// ---- what to check ------------------------------------------------------------------------------

GradCheckReport check_network(Network& net, const Loss& loss, const Matrix& X, const Matrix& T,
                              const GradCheckOptions& options) {
  Matrix input = X;  // perturbed when the input gradient is checked
  // The analytic gradients at θ.
  net.zero_grad();
  const Matrix& P = net.forward(input);
  const Matrix dP = loss.gradient(P, T);
  const Matrix dX = net.backward(dP, options.check_input);

  std::vector<CheckedTensor> tensors;
  for (ParameterRef& p : net.parameters()) tensors.push_back({p.name, &p.value, p.grad});
  if (options.check_input) tensors.push_back({"input", &input, dX});
  GradCheckReport report = check_gradients(
      fmt::format("{} with {}", net.describe(), loss.describe()), std::move(tensors),
      [&] { return loss.value(net.forward(input), T); },
      [&](std::vector<std::int8_t>& s) { net.kink_signature(s); }, options);
  net.forward(X);  // the network's record of its last input must not outlive `input`
  return report;
}

GradCheckReport check_layer(Layer& layer, const Matrix& X, Rng& rng, const GradCheckOptions& options) {
  Matrix input = X;
  layer.zero_grad();
  const Matrix& Y = layer.forward(input);
  // L = Σ R ⊙ Y, so dL/dY = R
  const Matrix R = Matrix::uniform(Y.rows(), Y.cols(), rng, Scalar{-1}, Scalar{1});
  const bool needed = layer.needs_input_gradient;
  layer.needs_input_gradient = true;
  const Matrix dX = layer.backward(R);
  layer.needs_input_gradient = needed;

  std::vector<CheckedTensor> tensors;
  for (ParameterRef& p : layer.parameters()) tensors.push_back({p.name, &p.value, p.grad});
  tensors.push_back({"input", &input, dX});
  return check_gradients(
      fmt::format("{} (L = Σ R⊙Y)", layer.describe()), std::move(tensors),
      [&] { return static_cast<double>(dot(R, layer.forward(input))); },
      [&](std::vector<std::int8_t>& s) { layer.kink_signature(s); }, options);
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
  std::string text = fmt::format("gradcheck of {}: {} — {} elements: {} good, {} acceptable, {} kink, {} zero, {} fail",
                                 subject, to_string(verdict), elements.size(), good, acceptable, kinks, zeros, failed);
  if (!worst.empty()) text += fmt::format("; worst relative error {:.3g} at {}", worst_rel_error, worst);
  if (verdict == CheckVerdict::vacuous) text += "; no gradient was large enough to compare";
  return text;
}

Table GradCheckReport::table(bool only_problems) const {
  Table t({"tensor", "element", "analytic", "numeric", "rel. error", "verdict"});
  for (const GradCheckElement& e : elements) {
    if (only_problems && e.verdict == ElementVerdict::good) continue;
    t.add_row({e.tensor, fmt::format("({}, {})", e.row, e.col), fmt::format("{:.10g}", e.analytic),
               fmt::format("{:.10g}", e.numeric), fmt::format("{:.3g}", e.rel_error),
               std::string(to_string(e.verdict)) + (e.kink && e.verdict != ElementVerdict::kink ? " (kink)" : "")});
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
                        {"rel_error", glassbox::to_json(e.rel_error)},
                        {"kink", e.kink},
                        {"verdict", std::string(to_string(e.verdict))}});
  Json event;
  event["event"] = "gradcheck";
  event["subject"] = subject;
  event["h"] = options.h;
  event["thresholds"] = Json{{"good", options.good}, {"acceptable", options.acceptable}, {"zero", options.zero}};
  event["counts"] = Json{{"good", good}, {"acceptable", acceptable}, {"kink", kinks}, {"zero", zeros}, {"fail", failed}};
  event["worst_rel_error"] = glassbox::to_json(worst_rel_error);
  event["worst"] = worst;
  event["verdict"] = std::string(to_string(verdict));
  event["elements"] = std::move(rows);
  return event;
}

}  // namespace glassbox
