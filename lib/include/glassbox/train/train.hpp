// glassbox/train/train.hpp — the training loop, and the trace events every chapter records the same way.
//
// N = samples in the training set, B = batch size, in/out = the network's input/output widths.
//
// One epoch: the N samples in a fresh random order (rng.permutation, if shuffling), cut into
// mini-batches of B rows (the last may be smaller); for each batch, one update (a "step"):
//
//   zero_grad → ŷ = forward(X_b) → L = loss(ŷ, T_b) → dL/dŷ = loss.gradient → backward → optimizer step
//
// After the epoch the whole training set is evaluated once more (forward only): that is the epoch's
// loss (and accuracy) — the loss of the weights the epoch ended with, on every sample. With
// options.epoch_metrics = EpochMetrics::running, there is no such pass: the epoch's loss and accuracy
// are the running means over its batches, each measured in its step before the update, as Keras
// reports them (cheaper by one forward pass over the data per epoch; a mix of the weights the epoch
// went through, not the ones it ended with). Given a
// validation set (samples held out of training, data/validation.hpp), it is evaluated too: the
// epoch's val_loss (and val_accuracy). With options.early_stopping, one of these numbers decides
// after each epoch whether to go on (train/early_stopping.hpp: Keras' EarlyStopping rule).
//
// Mode (nn/layer.hpp): train() takes its steps in training mode and makes every whole-set
// evaluation — evaluate(), predict(), the loss after each epoch — in evaluation mode, then gives
// the network back the mode it had. train_step() alone runs in the mode the network is in, as a
// hand-written PyTorch step does. For a network whose layers ignore the mode this changes nothing.
//
// Tracing (each level includes the one before; nothing is built unless the tracer wants it):
//   summary  "epoch"    per epoch: loss, accuracy (classification), mean loss of its batches, the
//                       learning rate of its first step (and of its last, when a per-batch schedule
//                       changed it within the epoch), val_loss and val_accuracy (with a validation
//                       set), the early-stopping state; "epoch_metrics": "running" when loss and
//                       accuracy are the running means of its batches (EpochMetrics::running)
//            "early_stopping"  once, at the end (with options.early_stopping): best epoch, why it stopped
//   step     "step"     per update: loss of the batch, the learning rate it used, the gradient norm of
//                       every parameter (after clipping); with penalties also data_loss and penalty
//                       (loss = their sum); with clipping the norm before it and the coefficient, or
//                       the count clamped
//   full     "forward"  per update per stage: input, z, a (and what a layer adds: dropout's mask,
//                       batch normalization's mu, var, x_hat, running_mean, running_var)
//            "backward" per update per stage: dL_da, dL_dz, dL_dW, dL_db (dL_d<name> per parameter)
//            "update"   per update per parameter: update (Δθ applied), <name>_after (θ after it)
// A stage is a layer with its activation (Network::stages()). δ = ∂L/∂z here; some textbooks
// write δ = −∂L/∂net. A network with mode-dependent layers (Network::has_modes()) adds "mode":
// "train" or "eval" to its epoch, step, forward and backward events; others carry no such field.
// docs/trace-format.md describes every field.
//
// Schedules (schedules.hpp): with options.schedule, train() steps a copy of it as PyTorch's examples
// step theirs — start() before the first step sets the first rate; a per-batch schedule (OneCycleLR)
// is stepped after every optimizer step, a per-epoch one after every epoch, once the epoch's loss is
// known; ReduceLROnPlateau watches that loss (the loss on the whole training set after the epoch).
//
// Non-finite numbers stop training with NonFiniteError naming where they first appeared: the
// epoch and step, then the input, a layer's output, a gradient or a parameter after its update,
// with the element. The gradients are checked before the update, except with SGD when nothing
// reads them first (tracing off or at summary, no clipping): there a bad gradient shows in the θ
// the one-pass update writes, and is named then, after the update (the message is the same; the
// parameters, as after any NonFiniteError, are not to be trusted).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/early_stopping.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/schedules.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/io/trace.hpp"

namespace glassbox {

// One batch's numbers as train() computed them, before its update (for a progress line).
struct BatchStats {
  std::size_t epoch = 1;             // from 1
  std::size_t step = 1;              // updates so far, all epochs, this one included
  std::size_t batch = 1;             // this batch's place in the epoch, from 1
  std::size_t batches = 1;           // batches per epoch: ⌈N / B⌉
  std::size_t samples = 0;           // rows in this batch (the last may be smaller than B)
  double loss = 0;                   // the batch's loss, as train_step returned it
  std::optional<double> accuracy;    // with classification: on the batch, with the same outputs
};
using BatchCallback = std::function<void(const BatchStats&)>;

// What an epoch's loss and accuracy measure (see the top of this file).
enum class EpochMetrics {
  evaluate,  // the whole training set, evaluated once more after the epoch with its final weights
  running,   // the running mean over the epoch's batches, each before its update (Keras' numbers)
};

struct TrainOptions {
  std::size_t epochs = 1;
  std::size_t batch_size = 0;   // B; 0 takes all N samples as one batch (full-batch gradient descent)
  bool shuffle = true;          // a new random order every epoch
  bool classification = false;  // report accuracy (see accuracy())
  double threshold = 0.5;       // for a single output: the predicted class is ŷ ≥ threshold (0 for logits)
  bool multilabel = false;      // several independent yes/no outputs (see accuracy())
  EpochMetrics epoch_metrics = EpochMetrics::evaluate;
  // Gradient clipping (train/clipping.hpp) after backward, before the optimizer step: by global norm
  // or by value, not both (std::invalid_argument). Unset: no clipping.
  std::optional<double> clip_grad_norm{};   // max_norm > 0
  std::optional<double> clip_grad_value{};  // clip_value > 0
  // How the learning rate changes while training; none keeps the optimizer's rate. train() steps a
  // copy (clone()), so one schedule serves any number of runs and is never changed by them.
  std::shared_ptr<const Schedule> schedule = nullptr;
  // Stop when the monitored number stops improving (early_stopping.hpp); a "val_" monitor needs a
  // validation set, an accuracy needs classification.
  std::optional<EarlyStoppingOptions> early_stopping{};
  BatchCallback on_batch = {};  // called after every batch's update, if set (io/progress.hpp draws it)
  // A window of steps traced at level full, the others at summary (the tracer's level must be full
  // for the window to show): steps first … last (from 1, counted over all epochs), and/or, with
  // every_epoch, each epoch's first step. Unset: every step at the tracer's level.
  struct TraceWindow {
    std::size_t first = 0, last = 0;  // 0, 0: no range
    bool every_epoch = false;
    bool contains(std::size_t step, bool epoch_first_step) const {
      return (first != 0 && step >= first && step <= last) || (every_epoch && epoch_first_step);
    }
    // How many of `steps` steps (steps_per_epoch in each epoch) it holds.
    std::size_t count(std::size_t steps, std::size_t steps_per_epoch) const;
  };
  std::optional<TraceWindow> trace_window{};
};

// Samples held out of training, evaluated after every epoch (data/validation.hpp splits them off).
struct ValidationSet {
  const Matrix& X;  // (V×in)
  const Matrix& T;  // (V×target columns)
};

// Which update of which epoch (both counted from 1; step counts across epochs).
struct StepId {
  std::size_t epoch = 1;
  std::size_t step = 1;
};

struct EpochStats {
  std::size_t epoch = 0;
  std::size_t steps = 0;            // updates so far, all epochs
  double loss = 0;                  // on the whole training set after the epoch (or, when `running`,
                                    // the batches' data losses averaged over the epoch's samples)
  double mean_batch_loss = 0;       // the mean of the epoch's batch losses, as they were computed
  std::optional<double> accuracy;   // with classification: on the whole set after the epoch (or, when
                                    // `running`, the share of the epoch's samples its batches got right)
  bool running = false;             // loss and accuracy are running means (EpochMetrics::running)
  std::optional<double> learning_rate;       // η of the epoch's first step (train() always sets it)
  std::optional<double> learning_rate_last;  // η of its last step, when it differs from the first
  std::string mode;                 // "eval" ("train" when `running`), the mode loss and accuracy were measured in, for a network
                                    // with mode-dependent layers; empty otherwise (and not traced)
  std::optional<double> val_loss{};    // with a validation set: its loss after the epoch (evaluation mode)
  std::optional<double> val_accuracy{};  // … and its accuracy, with classification
  // With early stopping: its state after this epoch (EarlyStopping), and in the last epoch's stats,
  // once training has ended, the epoch whose weights were restored (restore_best_weights).
  struct EarlyStoppingState {
    std::optional<double> best;
    std::size_t best_epoch = 0;
    std::size_t wait = 0;
    bool stop = false;
    std::optional<std::size_t> restored_epoch;
  };
  std::optional<EarlyStoppingState> early_stopping{};
  std::optional<double> penalty{};  // with penalties (Network::penalize): their value at the weights the
                                    // epoch ended with; `loss` is the data loss alone
};

// Fraction of rows whose predicted class matches the target's: argmax of each row when there are
// several columns; for a single column, ŷ ≥ threshold (0.5 for a probability, 0 for a logit or a
// score) against t ≥ ½ (labels 0/1 or −1/+1). A target of one column
// for a prediction of several holds class indices (as sparse_softmax_cross_entropy takes them).
// With `multilabel`, every output is its own yes/no label (ŷ ≥ threshold against t ≥ ½) and a sample
// counts as right only when all its labels are (the exact-match ratio).
double accuracy(const Matrix& P, const Matrix& T, double threshold = 0.5, bool multilabel = false);

struct Evaluation {
  double loss = 0;
  std::optional<double> accuracy;
};
// The loss (and accuracy, with classification) of the network on (X, T), forward only, in
// evaluation mode (the network's mode is restored afterwards). The pass reads X without copying it
// (Network::forward_view): the network's layer_input(0) is X until its next forward pass.
Evaluation evaluate(Network& net, const Loss& loss, const Matrix& X, const Matrix& T,
                    const TrainOptions& options = {});
// ŷ for X:(N×in), forward only, in evaluation mode (the mode is restored afterwards). The reference
// stays valid until the network's next forward().
const Matrix& predict(Network& net, const Matrix& X);

// One update on the batch (X, T): zero_grad, forward, loss, backward, optimizer step, with the
// step and full events recorded as their level asks. Returns the batch's loss (before the update).
// Runs in the network's current mode; train() puts it in training mode first.
// With penalties (Network::penalize, nn/penalty.hpp) the loss is the data loss plus the penalty, and
// the penalty's gradient is added to dL/dθ right after backward. With options.clip_grad_norm or
// clip_grad_value the gradients are clipped (train/clipping.hpp) after that, before the optimizer
// step; only those two fields of `options` are read here.
double train_step(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X, const Matrix& T,
                  StepId id, Tracer& tracer = Tracer::none(), const TrainOptions& options = {});

using EpochCallback = std::function<void(const EpochStats&)>;

// options.epochs epochs of mini-batch training, the steps in training mode and the loss after each
// epoch in evaluation mode; after each epoch, records the "epoch" event, calls on_epoch (if given)
// and keeps the stats. The network ends in the mode it started in. Throws ShapeError if X, T and
// the network do not fit, NonFiniteError as described above. X must not change until train()
// returns, callbacks included: with more than one thread (kernel.hpp), the next batch's rows are
// read while a step runs.
std::vector<EpochStats> train(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X, const Matrix& T,
                              Rng& rng, const TrainOptions& options, Tracer& tracer = Tracer::none(),
                              const EpochCallback& on_epoch = {});
// The same, measuring the validation set after every epoch too (val_loss, val_accuracy). Early
// stopping may end training before options.epochs (the history is then shorter) and, with
// restore_best_weights, gives the network back its parameters and buffers from the best epoch.
// Throws std::invalid_argument for an early-stopping monitor the run does not measure.
std::vector<EpochStats> train(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X, const Matrix& T,
                              const ValidationSet& validation, Rng& rng, const TrainOptions& options,
                              Tracer& tracer = Tracer::none(), const EpochCallback& on_epoch = {});

// About how many bytes train() writes to a trace at `level` for N = `samples`, from the shapes alone,
// so that a program can refuse a run whose trace cannot fit before it starts (check_trace_estimate(),
// trace.hpp). The numbers of the events are counted from the layers' widths and the parameters, at
// 8 bytes each (a number takes 2 at the least, "0,", and about 20 as a rule), plus the events' own
// text: an estimate on the low side, so a run it lets through may still meet the Tracer's limit.
double estimated_trace_bytes(const Network& net, std::size_t samples, const TrainOptions& options, TraceLevel level);
// The same from the shapes of a network not built yet (a spec's): each layer's input and output width
// in order, and the parameter count.
struct LayerWidths {
  std::size_t in = 0, out = 0;
};
double estimated_trace_bytes(const std::vector<LayerWidths>& layers, std::size_t parameters, std::size_t samples,
                             const TrainOptions& options, TraceLevel level);

// ---- the events ---------------------------------------------------------------------------------
// Built from what the network's last forward()/backward() and the optimizer's last step() left;
// chapters that step by hand call the record_* functions to trace exactly as train() does.
Json epoch_event(const EpochStats& stats);
// `mode`: "train" or "eval" for a network with mode-dependent layers (Network::mode()); empty
// (the default) records no mode. `learning_rate`: the η the step used (train_step() always gives it).
Json step_event(StepId id, std::size_t batch_size, double loss, const std::vector<ParameterRef>& parameters,
                std::string_view mode = {}, std::optional<double> learning_rate = std::nullopt);
Json forward_event(const Network& net, const Network::Stage& stage, StepId id);
Json backward_event(Network& net, const Network::Stage& stage, StepId id);
// `learning_rate`: the η the update used; `state`: what the optimizer keeps for the parameter after
// it (Optimizer::state), recorded by name under "state".
Json update_event(const ParameterRef& parameter, const Matrix& update, StepId id, double learning_rate,
                  const OptimizerState& state);

// Full level: one "forward" / "backward" event per stage, one "update" event per parameter.
// One "parameters" event (level full): every parameter's value as it is now, by name — the W and
// b a forward pass is about to use.
void record_parameters(Tracer& tracer, Network& net, StepId id);
void record_forward(Tracer& tracer, const Network& net, StepId id);
void record_backward(Tracer& tracer, Network& net, StepId id);
void record_updates(Tracer& tracer, Network& net, const Optimizer& optimizer, StepId id);

}  // namespace glassbox
