// glassbox/train/lr_finder.hpp — the learning-rate range test (Leslie Smith's), as fastai's lr_find runs it.
//
// i = the iteration (mini-batch), counted from 0; n = num_it.
//
// Training as usual, but the rate rises exponentially, one mini-batch at a time, from start_lr to
// end_lr (fastai's SchedExp at position i/n, so the last of n iterations stops short of end_lr):
//
//   η_i = start_lr·(end_lr/start_lr)^(i/n)
//
// Each batch's loss is smoothed and debiased (fastai's AvgSmoothLoss, β = 0.98):
//
//   avg_i = β·avg_{i−1} + (1 − β)·loss_i   (avg_{−1} = 0);   smooth_i = avg_i / (1 − β^(i+1))
//
// The test stops after n iterations, or as soon as smooth_i > 4·(the least smooth loss so far): the
// loss has diverged (fastai's stop_div). It also stops — where fastai would go on training on NaN —
// when the loss or the weights stop being finite. Afterwards the network's weights are what they
// were (fastai reloads them), and the optimizer given is untouched (the test steps a copy).
//
// Suggestions, from the smoothed losses of iterations ⌊n/10⌋ up to the last five left out (and up
// to the first NaN), as fastai's lr_find takes them:
//   valley   the longest valley — the longest decreasing subsequence of the losses, ending at
//            max_end, with max_start = max_end − its length (one before its first point) — and the
//            rate at max_start + ⌊s⌋ + ⌊s/2⌋, s = (max_end − max_start)/3: fastai's valley(), its
//            default suggestion
//   minimum  the rate of the least loss, divided by 10 (the point marked is the minimum itself)
//   steep    the rate where the loss falls fastest against log η: the least
//            (smooth_{k+1} − smooth_k)/(ln η_{k+1} − ln η_k), at η_k
// The rates come from portable_pow (core/portable_math.hpp): the same bits on every machine, within
// a few ulp of Python's float power.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "glassbox/core/json.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/io/svg.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/train.hpp"

namespace glassbox {

struct LrFindOptions {
  double start_lr = 1e-7;
  double end_lr = 10;
  std::size_t num_it = 100;  // fastai raises fewer than 6 to 6
  bool stop_div = true;      // stop when the smoothed loss passes 4× its best
  double beta = 0.98;        // the smoothing of the loss
};

// One suggested rate, and the point of the curve that shows it.
struct LrSuggestion {
  std::string name;            // "valley", "minimum", "steep"
  double learning_rate = 0;    // the rate suggested
  double marked_rate = 0;      // where the plot marks it (minimum: the rate of the least loss, 10× the suggestion)
  double marked_loss = 0;      // the smoothed loss there
  std::size_t iteration = 0;   // i of the marked point
};

struct LrFindResult {
  LrFindOptions options;
  std::vector<double> learning_rates;  // η_i, the rate of iteration i
  std::vector<double> losses;          // loss_i, the batch's loss (NaN where it was not finite)
  std::vector<double> smoothed;        // smooth_i
  std::string stopped;                 // why it stopped: "num_it", "diverged", "non_finite"
  std::vector<LrSuggestion> suggestions;  // valley, minimum, steep (those that exist: none if too few points)

  const LrSuggestion* suggestion(std::string_view name) const;
  // Smoothed loss against log₁₀ η (the last five iterations left out, as fastai plots it), with each
  // suggestion marked.
  svg::Plot plot(std::string title = "learning-rate range test") const;
  Json to_json() const;
};

// Iteration by iteration, without a network: feed it each batch's loss (for tests, and for programs
// that train by hand). rate(i) is the rate to use for iteration i.
class LrRangeTest {
public:
  explicit LrRangeTest(LrFindOptions options = {});
  std::size_t num_it() const noexcept { return options_.num_it; }
  double rate(std::size_t i) const;
  // The loss of the next iteration, trained at rate(iterations()); returns false when the test stops.
  bool record(double loss);
  std::size_t iterations() const noexcept { return result_.losses.size(); }
  bool done() const noexcept { return !result_.stopped.empty(); }
  // The record so far with its suggestions.
  LrFindResult result() const;

private:
  LrFindOptions options_;
  LrFindResult result_;
  double average_ = 0, beta_power_ = 1, best_ = 0;
};

// fastai's suggestion rules on (rates, smoothed losses) already cut as described above; each returns
// the index of the marked point, nullopt for too few points (valley, minimum: none; steep: < 2).
std::optional<std::size_t> valley_index(const std::vector<double>& losses);
std::optional<std::size_t> minimum_index(const std::vector<double>& losses);
std::optional<std::size_t> steep_index(const std::vector<double>& rates, const std::vector<double>& losses);

// The range test on (X, T) in mini-batches of options.batch_size (shuffled per epoch as train()
// does, drawing from rng), stepping a copy of `optimizer` with the rising rate and clipping the
// gradients as `training` asks (clip_grad_norm, clip_grad_value), as train() would. The network's
// parameters are restored afterwards, and its mode. Throws ShapeError as train() does.
LrFindResult find_learning_rate(Network& net, const Loss& loss, const Optimizer& optimizer, const Matrix& X,
                                const Matrix& T, Rng& rng, const TrainOptions& training,
                                const LrFindOptions& options = {});

}  // namespace glassbox
