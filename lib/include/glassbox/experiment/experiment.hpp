// glassbox/experiment/experiment.hpp — experiments written as JSON: a network, its data, how to train it.
//
// N = samples, in = the network's inputs, out = its outputs (the last layer's units).
//
// An experiment spec names everything that changes the numbers — the network (with explicit
// initial weights if wanted), the loss, the optimizer, the data (inline or from a CSV file), the
// training schedule, the seed, which parameters are frozen — so that one file reproduces a run to
// the byte. docs/experiment-format.md documents every field; in short:
//
//   {"name": "xor", "seed": 1,
//    "network": {"inputs": 2, "layers": [{"units": 2, "activation": "tanh"},
//                                        {"units": 1, "activation": "sigmoid"}]},
//    "loss": "bce", "optimizer": {"name": "sgd", "learning_rate": 0.5},
//    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [0, 1, 1, 0]},
//       (or {"csv": "points.csv", …}, or {"generator": "make_circles", "samples": 200, …})
//    "training": {"epochs": 2000}, "trace": {"level": "summary"}}
//
// parse_experiment() checks the whole spec before anything runs — types, ranges, names (against
// activation_table(), loss_table(), optimizer_table(), initializer_table(), generator_table()),
// shapes (explicit weights against the layer sizes, data width against the inputs and outputs), the
// frozen parameters — and loads (or generates) the data. Whatever is wrong throws SpecError naming
// the JSON path (see spec.hpp); a program exits 2 writing nothing. run_experiment() and
// gradcheck_experiment() then do the work and write through a Tracer.
//
// lib/src/experiment/: spec_reader.cpp reads and checks the spec (spec_rows.cpp its rows of numbers),
// data_sources.cpp and csv_data.cpp its data; spec_writer.cpp writes it back; run.cpp runs it.
//
// A dense spec layer (network.layers[k]) becomes two layers of the Network — Dense and its
// activation — so in a network of dense layers only, spec layer k is Dense at position 2k and its
// activation at 2k+1: its parameters are layers[2k].W and layers[2k].b, as in traces. A "dropout" or
// "batch_norm" spec layer becomes one layer of the Network (two with an "activation"), which shifts
// the positions after it. Dropout layer i of the Network draws its masks from
// Rng::derived(seed, "dropout layers[i]"), so they depend on the seed and its position only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/data/dataset.hpp"
#include "glassbox/data/validation.hpp"
#include "glassbox/nn/dense.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/nn/initializers.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/lr_finder.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/schedules.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/io/spec.hpp"
#include "glassbox/io/trace.hpp"
#include "glassbox/train/train.hpp"

namespace glassbox {

// ---- the parts of a spec ------------------------------------------------------------------------

// One spec layer: Dense(in→units) followed by its activation; or Dropout(p) or BatchNorm over the
// previous layer's width (units = that width), followed by an activation only if one is named.
struct LayerSpec {
  enum class Type { dense, dropout, batch_norm };
  Type type = Type::dense;
  std::size_t units = 0;
  std::string activation;                    // a name from activation_table(); empty: none (not dense)
  Json activation_options = Json::object();  // its settings; {} for none
  std::string init = "uniform_fan_in";       // a name from initializer_table() (initializers.hpp)
  Json init_options = Json::object();        // its settings; {} for the defaults
  std::optional<Matrix> weights;             // W (units×in), replacing what `init` drew
  std::optional<Matrix> biases;              // b (1×units)
  Penalty penalty;                           // dense: l1/l2 on W (nn/penalty.hpp); none by default
  double p = 0.5;                            // dropout: the probability of dropping a unit
  double momentum = 0.1;                     // batch_norm: the weight of the batch's statistics
  double eps = 1e-5;                         // batch_norm: ε in √(σ² + ε)
  std::optional<Matrix> gamma, beta;         // batch_norm: γ and β (1×units), replacing 1 and 0
  std::optional<Matrix> running_mean;        // batch_norm: the running statistics (1×units), replacing
  std::optional<Matrix> running_var;         //   0 and 1 (what a saved model carries)
};

struct LossSpec {
  std::string name;                    // a name from loss_table()
  std::optional<Reduction> reduction;  // absent: mean (and always absent for a loss without one)
  Json options = Json::object();       // its settings ({"delta": 0.5} for huber); {} for the defaults
};

struct OptimizerSpec {
  std::string name;                // a name from optimizer_table()
  Json settings = Json::object();  // its hyperparameters as given, checked: {"learning_rate": 0.5}
};

// How the learning rate changes while training (train/schedules.hpp); an empty name: it does not.
struct ScheduleSpec {
  std::string name;                // a name from schedule_table(), or empty
  Json settings = Json::object();  // as given, checked; one_cycle's total_steps filled in from the run
};

// Where the samples come from, and the samples.
struct DataSpec {
  enum class Source { inline_values, csv, generator, idx, dataset };
  Source source = Source::inline_values;

  // A generator (generator_table()): its name and settings, every default written out.
  std::string generator;
  Json generator_settings = Json::object();

  // A CSV file: the path as written (relative to the spec's folder) and as resolved.
  std::string csv;
  std::filesystem::path csv_path;
  std::vector<std::string> input_columns;   // as given (empty: every column not used for targets)
  std::vector<std::string> target_columns;  // numeric targets, one column per output …
  std::string label_column;                 // … or class labels, written as the loss takes them
  std::vector<std::string> classes;         // the label order, as given (empty: sorted labels)

  // IDX files (data/idx.hpp): images and labels, paths as written (relative to the spec's folder)
  // and as resolved; the K classes are the network's outputs (2 for one output), named "0" … "K−1".
  std::string idx_images, idx_labels;
  std::filesystem::path idx_images_path, idx_labels_path;

  // A named data set: "fashion-mnist", its part ("train" or "test") and the folder it is read from
  // (as written; empty: where Debian's package installs it, fashion_mnist_debian_folder).
  std::string dataset, part, folder;

  bool standardize = false;  // x' = (x − μ)/σ per input column, μ and σ over all N samples — or, with
                             // training.validation, over the training part only (run_experiment)
  // data.standardize given as {"mean": […], "scale": […]} (what a saved model carries): μ and σ used
  // as given, never fitted.
  std::optional<Standardizer> fixed_standardizer;

  Matrix inputs;    // (N×in) as given or read, kept only when standardized (empty otherwise: X holds them)
  Matrix targets;   // (N×out), or (N×1) class indices (target_columns())
  Matrix X;         // (N×in) what the network sees: `inputs`, standardised if asked
  // The inputs as given: `inputs` when X holds them standardized, X itself when not — a data set
  // is kept once, not twice (60,000 Fashion-MNIST images take 376 MB).
  const Matrix& given_inputs() const { return standardize ? inputs : X; }
  std::vector<std::string> class_names;  // with label_column, IDX files or a data set: the name of class k
};

struct TraceSpec {
  std::string path;  // relative to the current folder; empty: Experiment::trace_path()'s default
  TraceLevel level = TraceLevel::summary;
  std::uint64_t max_bytes = kDefaultTraceMaxBytes;  // the Tracer's limit (trace.hpp)
  // trace.steps [A, B] and trace.every_epoch: the steps traced at level full, the rest at summary
  // (also in Experiment::training.trace_window, where train() reads it). Only with level full.
  std::optional<TrainOptions::TraceWindow> window;
};

struct Experiment {
  std::string source;            // the spec's file name, for messages and the trace header
  std::string name;              // default: the spec file's stem
  std::string description;
  std::uint64_t seed = 1;        // one generator, in this order: generated data, initial weights, shuffles
  std::size_t inputs = 0;        // network.inputs
  std::vector<LayerSpec> layers;
  LossSpec loss;
  OptimizerSpec optimizer;
  ScheduleSpec schedule;
  DataSpec data;
  TrainOptions training;          // with training.early_stopping
  // training.validation: how many samples to hold out (none if absent). The split draws from
  // Rng::derived(seed, "validation"), stratified by class for classification (not multilabel).
  std::optional<ValidationSize> validation;
  std::vector<std::string> frozen;  // parameter names, "layers[0].b"
  // "test": samples kept apart for the end, in any form "data" takes but a generator, and without
  // "standardize" (they are standardized with the training data's μ and σ): test_inputs().
  std::optional<DataSpec> test;
  TraceSpec trace;
  std::string save;                 // where `glassbox run` writes the trained model (empty: nowhere)
  GradCheckOptions gradcheck;       // h, max_elements, check_input; seed = the experiment's
  std::size_t gradcheck_samples = 0;  // the first this many samples; 0: all
  // The run's one random generator as the run starts: seeded with `seed`, past the draws that
  // generated the data (if a generator made it). The initial weights are drawn from it, then the
  // shuffles: run and gradcheck both start here.
  Rng rng_at_start{1};

  std::size_t outputs() const { return layers.empty() ? 0 : layers.back().units; }
  // Columns of the targets: outputs(), or 1 for a loss that takes class indices (losses.hpp's
  // TargetKind).
  std::size_t target_columns() const;
  // trace.path, or by default traces/<name>.json for `glassbox run` and traces/<name>.<command>.json
  // for another command (traces/<name>.gradcheck.json), so that one never replaces the other's trace.
  std::filesystem::path trace_path(std::string_view command = "run") const;
};

// ---- reading and writing specs ------------------------------------------------------------------

// What an experiment's network and data may need in memory: 8 GiB, or ¾ of this machine's physical
// memory when that is less; the environment variable GLASSBOX_MAX_MEMORY (a size, core/bytes.hpp:
// "16G") sets another. parse_experiment() estimates the parameters (with gradients, last updates and
// the optimizer's state), the activations for a batch and the data, and refuses with SpecError — at
// network.layers[k].units where the parameters pass the limit (before the data is read), at data
// where the data and a batch's activations do — before the network is built.
inline constexpr std::uint64_t kDefaultMemoryLimit = std::uint64_t{8} << 30;
std::uint64_t memory_limit();

// Checks `spec` and loads its data. `source_name` is the spec's file name: paths in the spec (the CSV
// file) are relative to its folder, and the experiment's default name is its stem. Throws SpecError
// ("<JSON path>: <what was expected>") for anything wrong, InputError for unreadable data files.
Experiment parse_experiment(const Json& spec, std::string source_name);
// read_json_file() then parse_experiment().
Experiment load_experiment(const std::filesystem::path& path);

// The spec with every default written out: parse_experiment(to_json(e), e.source) gives back the
// same experiment. With samples = false, inline data is summarised ({"samples": N}) instead of
// listed: the form the trace header records.
Json to_json(const Experiment& experiment, bool samples = true);

// ---- saved models (lib/src/experiment/model.cpp) ------------------------------------------------

// A trained model is its spec with the learned numbers written in: every dense layer's "weights"
// and "biases" (its "init" left out), every batch_norm layer's "gamma", "beta", "running_mean" and
// "running_var"; the "save" key is left out. Doubles are written in the shortest form that reads
// back to the same double, so a loaded model computes bit for bit what the saved one did.
// UsageError for a network with an activation that learns parameters (prelu), which a spec cannot
// hold. `trained` is the network run_experiment() returned, built from `experiment`. With
// data.standardize, μ and σ are written in too (data.standardize: {"mean", "scale"}): those of
// `standardizer` (RunResult::standardizer, fit on the training part) or, without it, those fit over
// all N samples, as DataSpec::X has them.
Json model_json(const Experiment& experiment, Network& trained, const Standardizer* standardizer = nullptr);
// The model as text: a row of numbers on one line, everything else one item a line.
std::string model_text(const Json& model);
// model_text(model_json()) written atomically (io/output_file.hpp): OutputError "model: …". The
// data's relative paths (data.csv, data.idx, data.folder) are rewritten relative to the model's
// folder, so the model finds its data wherever it is saved.
void save_model(const Experiment& experiment, Network& trained, const std::filesystem::path& path,
                const Standardizer* standardizer = nullptr);

// A model file may be larger than a spec (read_json_file's max_spec_bytes): 512 MiB.
inline constexpr std::size_t kMaxModelBytes = std::size_t{512} << 20;

struct Model {
  Experiment experiment;
  Network network;  // rebuilt from the saved numbers, in evaluation mode
};
// Reads a saved model: parse_experiment() (so its data is read too), then every dense and batch_norm
// layer must have its numbers — SpecError "network.layers[k]: not a trained model: no …" otherwise.
// A malformed or truncated file throws InputError "file:line:column: …" (read_json_file).
Model load_model(const std::filesystem::path& path);
Model load_model(const Json& model, std::string source_name);

// ---- the names a spec may use -------------------------------------------------------------------

// Data generators by name (synthetic.hpp): two classes of points in the plane. To add one: one line
// in the table (lib/src/experiment/data_sources.cpp) that reads its settings and one that generates.
// (The other names come from tables beside their concepts: activation_table(), loss_table(),
// initializer_table(), optimizer_table() in train/optimizers.hpp.)
struct GeneratorEntry {
  const char* name;                   // "make_circles"
  const char* description;            // for help texts
  std::vector<std::string> settings;  // the keys of the data object it reads besides "generator"
  Json (*read)(const SpecObject& data);  // the settings, checked, with defaults filled in
  Matrix (*make)(const Json& settings, Rng& rng, std::vector<std::size_t>& labels);  // X (N×2) and labels
};
const std::vector<GeneratorEntry>& generator_table();

// ---- running ------------------------------------------------------------------------------------

// Before `glassbox run` trains: estimated_trace_bytes() (train.hpp) for the spec's network, data,
// schedule and trace level, against trace.max_bytes; throws UsageError (check_trace_estimate(),
// trace.hpp) for a trace that cannot fit, so that the run is refused before it starts.
void check_trace_estimate(const Experiment& experiment);

// The network at its initial weights: layer by layer, init drawing from rng (W then b) unless
// weights and biases are both given; given ones replace what was drawn. Frozen parameters marked.
Network build_network(const Experiment& experiment, Rng& rng);
std::unique_ptr<Loss> make_loss(const Experiment& experiment);
std::unique_ptr<Optimizer> make_optimizer(const Experiment& experiment);
// The spec's schedule, or null when it has none.
std::unique_ptr<Schedule> make_schedule(const Experiment& experiment);
// program, chapter 0, the seed, the spec (to_json without the samples) as hyperparameters, the network.
TraceHeader trace_header(const Experiment& experiment, std::string program);

struct RunResult {
  Network network;                  // after training
  double initial_loss = 0;          // on the training samples (all N without a validation set), initial weights
  std::vector<EpochStats> history;  // one entry per epoch
  std::optional<ValidationSplit> split;  // with training.validation: which samples were held out
  // With data.standardize and a validation set: μ and σ, fit on the training part only and applied to
  // both parts (without a validation set the inputs are standardized over all N, DataSpec::X).
  std::optional<Standardizer> standardizer;
  // The trace's "result": the numbers of the last epoch — or, when early stopping restored an
  // earlier epoch's weights, of that epoch, the weights the network ends with.
  Json to_json() const;
  // The epoch whose weights the network ends with: the last, or the one early stopping restored.
  const EpochStats& final_epoch() const;
};

// How far the loss on the whole training set may grow over its value at the start before a run is
// stopped as diverging: four orders of magnitude, far beyond the noise of a run that learns.
inline constexpr double kMaxLossGrowth = 1e4;

// The test samples (Experiment::test) as the network sees them: standardized with the training
// data's μ and σ when data.standardize — result's standardizer (fit on the training part), else the
// data's own (given, or fit over all N) — else as read.
Matrix test_inputs(const Experiment& experiment, const RunResult& result);

// Trains as the spec says (train() in train.hpp), recording its events in `tracer`.
// Throws NonFiniteError naming where a number first became NaN or ±Inf, and DivergenceError when the
// loss is not finite at the start or, after an epoch, has grown past kMaxLossGrowth times its start
// (the message names the learning rate).
RunResult run_experiment(const Experiment& experiment, Tracer& tracer = Tracer::none(),
                         const EpochCallback& on_epoch = {});

// The learning-rate range test (lr_finder.hpp) on the spec's network at its initial weights, with
// its loss, optimizer (a copy: its rate is replaced by the test's), data, batch size and shuffling.
LrFindResult lr_find_experiment(const Experiment& experiment, const LrFindOptions& options = {});

// check_network() on the spec's network at its initial weights (as run_experiment starts from),
// with the spec's loss, on the first gradcheck_samples samples; records the "gradcheck" event at
// level summary.
GradCheckReport gradcheck_experiment(const Experiment& experiment, Tracer& tracer = Tracer::none());

}  // namespace glassbox
