// glassbox/train/lr_finder.cpp — the learning-rate range test: the rising rate, the smoothed loss, the
// stopping rule, fastai's three suggestions and the plot.
#include "glassbox/train/lr_finder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"
#include "glassbox/core/portable_math.hpp"

namespace glassbox {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// ---- iteration by iteration -----------------------------------------------------------------------

LrRangeTest::LrRangeTest(LrFindOptions options) : options_(options) {
  if (!(options_.start_lr > 0) || !std::isfinite(options_.start_lr))
    throw std::invalid_argument(fmt::format("lr_find: start_lr must be a number > 0, got {}", options_.start_lr));
  if (!(options_.end_lr > options_.start_lr) || !std::isfinite(options_.end_lr))
    throw std::invalid_argument(
        fmt::format("lr_find: end_lr must be a number > start_lr = {}, got {}", options_.start_lr, options_.end_lr));
  if (!(options_.beta >= 0 && options_.beta < 1))
    throw std::invalid_argument(fmt::format("lr_find: beta must be in [0, 1), got {}", options_.beta));
  options_.num_it = std::max<std::size_t>(options_.num_it, 6);  // as fastai's LRFinder
  result_.options = options_;
}

// η_i = start·(end/start)^(i/n)
double LrRangeTest::rate(std::size_t i) const {
  const double position = static_cast<double>(i) / static_cast<double>(options_.num_it);
  return options_.start_lr * portable_pow(options_.end_lr / options_.start_lr, position);
}

bool LrRangeTest::record(double loss) {
  if (done()) throw std::logic_error("lr_find: record() after the test stopped");
  const std::size_t i = iterations();
  result_.learning_rates.push_back(rate(i));
  result_.losses.push_back(std::isfinite(loss) ? loss : kNaN);
  // avg = β·avg + (1 − β)·loss;  smooth = avg/(1 − β^(i+1))
  average_ = options_.beta * average_ + (1 - options_.beta) * loss;
  beta_power_ *= options_.beta;
  const double smooth = average_ / (1 - beta_power_);
  result_.smoothed.push_back(std::isfinite(smooth) ? smooth : kNaN);
  if (!std::isfinite(smooth)) {
    result_.stopped = "non_finite";
  } else {
    if (i == 0 || smooth < best_) best_ = smooth;
    if (options_.stop_div && smooth > 4 * best_)
      result_.stopped = "diverged";
    else if (i + 1 >= options_.num_it)
      result_.stopped = "num_it";
  }
  return !done();
}

// ---- the suggestions ------------------------------------------------------------------------------

// fastai's valley(): lds[i] = the length of the longest decreasing subsequence of the losses ending at
// i; the longest one ends at max_end, and max_start = max_end − lds[max_end] — one before its first
// point, as fastai counts it. The suggestion is the point max_start + ⌊s⌋ + ⌊s/2⌋, s = (max_end −
// max_start)/3: about half-way down the valley.
std::optional<std::size_t> valley_index(const std::vector<double>& losses) {
  const auto n = static_cast<long long>(losses.size());
  if (n == 0) return std::nullopt;
  long long max_start = 0, max_end = 0;  // signed: fastai's max_start is one before the valley, −1 at the start
  std::vector<long long> lds(losses.size(), 1);
  for (long long i = 1; i < n; ++i)
    for (long long j = 0; j < i; ++j) {
      const auto I = static_cast<std::size_t>(i), J = static_cast<std::size_t>(j);
      if (losses[I] < losses[J] && lds[I] < lds[J] + 1) lds[I] = lds[J] + 1;
      if (lds[static_cast<std::size_t>(max_end)] < lds[I]) {
        max_end = i;
        max_start = max_end - lds[I];
      }
    }
  const double sections = static_cast<double>(max_end - max_start) / 3;
  long long idx = max_start + static_cast<long long>(sections) + static_cast<long long>(sections / 2);
  if (idx < 0) idx += n;  // Python's lrs[-1]: a valley of one or two points at the very start
  return static_cast<std::size_t>(idx);
}

std::optional<std::size_t> minimum_index(const std::vector<double>& losses) {
  if (losses.empty()) return std::nullopt;
  return static_cast<std::size_t>(std::min_element(losses.begin(), losses.end()) - losses.begin());
}

// The least (L_{k+1} − L_k)/(ln η_{k+1} − ln η_k), at k.
std::optional<std::size_t> steep_index(const std::vector<double>& rates, const std::vector<double>& losses) {
  if (rates.size() != losses.size())
    throw std::invalid_argument(fmt::format("steep_index: {} rates for {} losses", rates.size(), losses.size()));
  if (losses.size() < 2) return std::nullopt;
  std::size_t best = 0;
  double steepest = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k + 1 < losses.size(); ++k) {
    const double slope = (losses[k + 1] - losses[k]) / (portable_log(rates[k + 1]) - portable_log(rates[k]));
    if (slope < steepest) {
      steepest = slope;
      best = k;
    }
  }
  return best;
}

LrFindResult LrRangeTest::result() const {
  LrFindResult r = result_;
  // fastai: the recorded rates and losses from ⌊n/10⌋, without the last five, up to the first NaN
  const std::size_t first = options_.num_it / 10;
  const std::size_t recorded = r.smoothed.size();
  std::size_t last = recorded >= 5 ? recorded - 5 : 0;  // one past the end
  for (std::size_t i = first; i < last; ++i)
    if (std::isnan(r.smoothed[i])) last = i;
  if (last <= first) return r;
  const std::vector<double> rates(r.learning_rates.begin() + static_cast<std::ptrdiff_t>(first),
                                  r.learning_rates.begin() + static_cast<std::ptrdiff_t>(last));
  const std::vector<double> losses(r.smoothed.begin() + static_cast<std::ptrdiff_t>(first),
                                   r.smoothed.begin() + static_cast<std::ptrdiff_t>(last));
  const auto mark = [&](std::string name, double suggested, std::size_t k) {
    r.suggestions.push_back({std::move(name), suggested, rates[k], losses[k], first + k});
  };
  if (auto k = valley_index(losses)) mark("valley", rates[*k], *k);
  if (auto k = minimum_index(losses)) mark("minimum", rates[*k] / 10, *k);
  if (auto k = steep_index(rates, losses)) mark("steep", rates[*k], *k);
  return r;
}

// ---- the result -------------------------------------------------------------------------------------

const LrSuggestion* LrFindResult::suggestion(std::string_view name) const {
  for (const LrSuggestion& s : suggestions)
    if (s.name == name) return &s;
  return nullptr;
}

svg::Plot LrFindResult::plot(std::string title) const {
  svg::Plot p(std::move(title));
  p.x_label("learning rate η (log₁₀ scale: −3 is 10⁻³)").y_label("smoothed loss");
  const std::size_t shown = smoothed.size() > 5 ? smoothed.size() - 5 : smoothed.size();  // fastai's skip_end
  std::vector<double> x, y;
  for (std::size_t i = 0; i < shown; ++i) {
    x.push_back(std::log10(learning_rates[i]));  // drawing only: not a traced number
    y.push_back(smoothed[i]);
  }
  p.line("smoothed loss", x, y, {.color = "#1f77b4"});
  const char* colors[] = {"#d62728", "#2ca02c", "#ff7f0e"};
  const svg::Marker markers[] = {svg::Marker::circle, svg::Marker::square, svg::Marker::cross};
  for (std::size_t k = 0; k < suggestions.size() && k < 3; ++k) {
    const LrSuggestion& s = suggestions[k];
    // minimum's suggestion is a tenth of the rate marked
    const std::string label = s.marked_rate == s.learning_rate
                                  ? fmt::format("{}: η = {:.3g}", s.name, s.learning_rate)
                                  : fmt::format("{} (marked) ÷ 10: η = {:.3g}", s.name, s.learning_rate);
    p.points(label, {std::log10(s.marked_rate)}, {s.marked_loss},
             {.color = colors[k], .radius = 6, .marker = markers[k]});
  }
  // The curve starts near its first loss, falls to its least on the right and climbs after it: the
  // bottom left, below the start and left of the minimum, is the corner it leaves empty.
  p.legend(svg::Corner::bottom_left);
  return p;
}

Json LrFindResult::to_json() const {
  Json j;
  j["start_lr"] = options.start_lr;
  j["end_lr"] = options.end_lr;
  j["num_it"] = options.num_it;
  j["beta"] = options.beta;
  j["stopped"] = stopped;
  j["learning_rates"] = glassbox::to_json(learning_rates);
  j["losses"] = glassbox::to_json(losses);
  j["smoothed"] = glassbox::to_json(smoothed);
  Json s = Json::object();
  for (const LrSuggestion& x : suggestions)
    s[x.name] = Json{{"learning_rate", x.learning_rate},
                     {"marked_rate", x.marked_rate},
                     {"marked_loss", x.marked_loss},
                     {"iteration", x.iteration}};
  j["suggestions"] = std::move(s);
  return j;
}

// ---- on a network -----------------------------------------------------------------------------------

LrFindResult find_learning_rate(Network& net, const Loss& loss, const Optimizer& optimizer, const Matrix& X,
                                const Matrix& T, Rng& rng, const TrainOptions& training, const LrFindOptions& options) {
  if (X.rows() != T.rows())
    throw ShapeError(fmt::format("lr_find: inputs {} and targets {} need one row per sample each", X.shape(), T.shape()));
  if (X.rows() == 0) throw ShapeError("lr_find: no samples");
  LrRangeTest test(options);
  const auto stepping = optimizer.clone();  // the caller's optimizer keeps its state
  std::vector<Matrix> saved, saved_buffers;  // θ, and any running statistics a layer keeps
  for (const ParameterRef& p : net.parameters()) saved.push_back(p.value);
  for (const BufferRef& b : net.buffers()) saved_buffers.push_back(b.value);
  const auto restore = [&] {
    const std::vector<ParameterRef> parameters = net.parameters();
    for (std::size_t k = 0; k < parameters.size(); ++k) parameters[k].value = saved[k];
    const std::vector<BufferRef> buffers = net.buffers();
    for (std::size_t k = 0; k < buffers.size(); ++k) buffers[k].value = saved_buffers[k];
    net.zero_grad();
  };
  const std::size_t N = X.rows();
  const std::size_t B = training.batch_size == 0 ? N : std::min(training.batch_size, N);
  const ModeScope mode(net, true);
  std::vector<std::size_t> order(N), batch;
  Matrix Xb, Tb;
  try {
    for (std::size_t epoch = 1; !test.done(); ++epoch) {
      if (training.shuffle)
        order = rng.permutation(N);
      else
        for (std::size_t n = 0; n < N; ++n) order[n] = n;
      for (std::size_t first = 0; first < N && !test.done(); first += B) {
        batch.assign(order.begin() + static_cast<std::ptrdiff_t>(first),
                     order.begin() + static_cast<std::ptrdiff_t>(std::min(N, first + B)));
        gather_rows_into(Xb, X, batch);
        gather_rows_into(Tb, T, batch);
        stepping->set_learning_rate(test.rate(test.iterations()));
        double L = kNaN;
        try {
          // the step train() would take: with the penalties and the clipping the options ask for
          L = train_step(net, loss, *stepping, Xb, Tb, {epoch, test.iterations() + 1}, Tracer::none(), training);
        } catch (const NonFiniteError&) {
          // the loss, a gradient or the weights after the update stopped being finite: recorded as NaN
        }
        test.record(L);
      }
    }
  } catch (...) {
    restore();
    throw;
  }
  restore();
  return test.result();
}

}  // namespace glassbox
