// glassbox/experiment/spec_reader.cpp — reading an experiment spec and checking every part of it: the network,
// the loss, the optimizer, training, frozen parameters, the trace and the gradient check. The data
// section is data_sources.cpp's (and csv_data.cpp's).
#include "glassbox/experiment/experiment.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "glassbox/core/bytes.hpp"
#include "glassbox/core/text.hpp"
#include "glassbox/nn/activations.hpp"
#include "spec_reading.hpp"

namespace glassbox {

using namespace detail;

std::size_t Experiment::target_columns() const {
  return loss_entry(loss.name).targets == TargetKind::class_index ? 1 : outputs();
}

std::filesystem::path Experiment::trace_path(std::string_view command) const {
  if (!trace.path.empty()) return trace.path;
  const std::string file = command == "run" ? name + ".json" : fmt::format("{}.{}.json", name, command);
  return std::filesystem::path("traces") / file;
}

// ---- the network, the loss, the optimizer -------------------------------------------------------

namespace {

// Limits that catch a typo (an extra zero or three) before it asks for terabytes.
constexpr std::uint64_t kMaxWidth = 1'000'000;      // inputs, units
constexpr std::uint64_t kMaxWeights = 100'000'000;  // per layer: 800 MB of doubles
constexpr std::uint64_t kMaxEpochs = 1'000'000;     // a million epochs of the smallest spec take minutes

// ---- what the network and the data need in memory ----------------------------------------------

// Bytes per parameter: its value, its gradient and its last update (kept for the trace), and the
// optimizer's state (OptimizerEntry::state_matrices: 6 for Adam with AMSGrad, none for plain SGD).
double bytes_per_parameter(const OptimizerSpec& optimizer) {
  std::size_t state = optimizer.name.empty() ? 0 : optimizer_entry(optimizer.name).state_matrices;
  const Json& settings = optimizer.settings;
  const bool momentum = settings.is_object() && settings.contains("momentum") && settings.at("momentum") != 0;
  if (optimizer.name == "sgd" && !momentum) state = 0;  // plain SGD keeps no buffer
  return static_cast<double>(3 + state) * static_cast<double>(sizeof(Scalar));
}

// What e's layers 0 … last need: parameters (bytes_per_parameter) and, for a batch of `batch` rows,
// each layer's input, Z, A and their gradients. N = batch, in = inputs, out = units.
double network_bytes(const Experiment& e, std::size_t last, double batch) {
  double bytes = batch * static_cast<double>(e.inputs) * sizeof(Scalar);
  std::size_t in = e.inputs;
  for (std::size_t k = 0; k <= last && k < e.layers.size(); ++k) {
    const double out = static_cast<double>(e.layers[k].units);
    const double parameters = e.layers[k].type == LayerSpec::Type::dense        ? out * (static_cast<double>(in) + 1)
                              : e.layers[k].type == LayerSpec::Type::batch_norm ? 4 * out  // γ, β and 2 buffers
                                                                                : 0;
    bytes += parameters * bytes_per_parameter(e.optimizer);
    bytes += 4 * batch * out * sizeof(Scalar);
    in = e.layers[k].units;
  }
  return bytes;
}

// SpecError at network.layers[k].units, the first layer at which the network passes the limit.
void check_network_memory(const Experiment& e, double batch, std::uint64_t limit) {
  for (std::size_t k = 0; k < e.layers.size(); ++k) {
    const double bytes = network_bytes(e, k, batch);
    if (bytes > static_cast<double>(limit))
      throw SpecError(fmt::format("network.layers[{}].units", k),
                      fmt::format("the network needs about {} for its weights, gradients{} and activations; the "
                                  "limit is {} (docs/experiment-format.md, \"Memory\")",
                                  format_bytes(network_bytes(e, e.layers.size() - 1, batch)),
                                  e.optimizer.name.empty() || e.optimizer.name == "sgd" ? "" : ", optimizer state",
                                  format_bytes(static_cast<double>(limit))));
  }
}

// A name from `known` with its settings, written "relu" or {"name": "leaky_relu", "alpha": 0.1}:
// the name into `name`, the rest of the object into `options` ({} for a plain name). `what` is how
// messages call it: "activation" → "an activation", "the activation's name".
void read_named(const SpecValue& v, const std::vector<std::string>& known, std::string_view what, std::string& name,
                Json& options) {
  const bool vowel = std::string_view("aeiou").find(what.front()) != std::string_view::npos;
  const std::string article = fmt::format("{} {}", vowel ? "an" : "a", what);
  if (v.is_object()) {
    if (!v.json().contains("name"))
      throw SpecError(v.child_path("name"),
                      fmt::format("missing; expected the {}'s name ({})", what, list_some(known)));
    name = SpecValue(v.json().at("name"), v.child_path("name")).choice(known, article);
    options = v.json();
    options.erase("name");
  } else {
    name = v.choice(known, article);
    options = Json::object();
  }
}

// The one activation of a spec layer, its settings checked by building it.
void read_activation(const SpecValue& v, LayerSpec& layer) {
  read_named(v, activation_names(), "activation", layer.activation, layer.activation_options);
  try {
    (void)make_activation(layer.activation, layer.units, layer.activation_options);
  } catch (const InputError& e) {
    v.fail(e.what());
  }
}

// How a spec layer's W and b are drawn, its settings checked by building the rule.
void read_init(const SpecValue& v, LayerSpec& layer) {
  read_named(v, initializer_names(), "initializer", layer.init, layer.init_options);
  try {
    (void)make_init_rule(layer.init, layer.init_options);
  } catch (const InputError& e) {
    v.fail(e.what());
  }
}

// λ of an l1 or l2 penalty: a number ≥ 0 (0: none).
double read_lambda(const SpecValue& v) {
  const double lambda = v.number();
  if (!(lambda >= 0)) v.fail_expected("a number ≥ 0 (the penalty's λ; 0 for none)");
  return lambda;
}

// A "dropout" or "batch_norm" spec layer: as wide as the layer before it (`in`), with its settings
// and an optional activation after it.
LayerSpec read_shaping_layer(const SpecValue& v, const std::string& type, std::size_t in) {
  LayerSpec layer;
  layer.units = in;
  if (type == "dropout") {
    const SpecObject o = v.object({"type", "p", "activation"});
    layer.type = LayerSpec::Type::dropout;
    const SpecValue p = o.required("p", "the probability of dropping a unit, a number in [0, 1)");
    layer.p = p.number();
    if (!(layer.p >= 0 && layer.p < 1))
      p.fail_expected(fmt::format("a number in [0, 1) (the probability of dropping a unit){}",
                                  layer.p == 1 ? "; p = 1 would drop every unit" : ""));
    if (auto a = o.optional("activation")) read_activation(*a, layer);
  } else {
    const SpecObject o =
        v.object({"type", "momentum", "eps", "activation", "gamma", "beta", "running_mean", "running_var"});
    layer.type = LayerSpec::Type::batch_norm;
    if (auto m = o.optional("momentum")) layer.momentum = m->number_in(0, 1);
    if (auto eps = o.optional("eps")) layer.eps = eps->positive_number();
    // γ, β and the running statistics, one number per feature: what a saved model carries.
    const auto row = [&](const char* key) -> std::optional<Matrix> {
      auto x = o.optional(key);
      if (!x) return std::nullopt;
      Matrix m(1, in);
      read_row(*x, in, fmt::format("the features: the previous layer's {}", in), m.data());
      return m;
    };
    layer.gamma = row("gamma");
    layer.beta = row("beta");
    layer.running_mean = row("running_mean");
    layer.running_var = row("running_var");
    if (layer.running_var)
      for (std::size_t j = 0; j < in; ++j)
        if (!((*layer.running_var)(0, j) >= 0))
          throw SpecError(o.optional("running_var")->child_path(j),
                          fmt::format("expected a variance ≥ 0, got {}", (*layer.running_var)(0, j)));
    if (auto a = o.optional("activation")) read_activation(*a, layer);
  }
  return layer;
}

void read_network(const SpecObject& spec, Experiment& e) {
  const SpecObject net =
      spec.required("network", "an object with \"inputs\" and \"layers\"").object({"inputs", "layers"});
  e.inputs = net.required("inputs", "a whole number ≥ 1 (the width of one sample)").whole(1, kMaxWidth);
  const auto layers = net.required("layers", "a non-empty array of layers").array(1);
  std::size_t in = e.inputs;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    if (layers[k].is_object() && layers[k].json().contains("type")) {
      const SpecValue type(layers[k].json().at("type"), layers[k].child_path("type"));
      const std::string name = type.choice({"dense", "dropout", "batch_norm"}, "a layer type");
      if (name != "dense") {
        if (k + 1 == layers.size())
          type.fail(fmt::format("the last layer gives the network's outputs: it must be a dense layer, not {}", name));
        e.layers.push_back(read_shaping_layer(layers[k], name, in));
        continue;
      }
    }
    const SpecObject o = layers[k].object({"units", "activation", "init", "weights", "biases", "l1", "l2", "type"});
    LayerSpec layer;
    const SpecValue units = o.required("units", "a whole number ≥ 1");
    layer.units = units.whole(1, kMaxWidth);
    e.layers.emplace_back().units = layer.units;  // for the estimate; the whole layer replaces it below
    check_network_memory(e, 1, memory_limit());
    e.layers.pop_back();
    if (layer.units * in > kMaxWeights)
      units.fail(fmt::format("Dense({}→{}) would have {} weights; a layer may have at most {}", in, layer.units,
                             layer.units * in, kMaxWeights));
    read_activation(o.required("activation", fmt::format("the name of an activation ({})",
                                                         list_some(activation_names()))),
                    layer);
    if (auto w = o.optional("weights"))
      layer.weights = read_rows(*w, layer.units, in, fmt::format("out×in = {}×{}", layer.units, in));
    if (auto b = o.optional("biases")) {
      Matrix bias(1, layer.units);
      read_row(*b, layer.units, fmt::format("out = {}", layer.units), bias.data());
      layer.biases = std::move(bias);
    }
    if (auto init = o.optional("init")) {
      if (layer.weights && layer.biases)
        init->fail("not used: weights and biases are both given (leave \"init\" out, or one of them)");
      read_init(*init, layer);
    }
    // Keras' kernel_regularizer: λ₁·Σ|w| and λ₂·Σw² on W, never on b
    if (auto l1 = o.optional("l1")) layer.penalty.l1 = read_lambda(*l1);
    if (auto l2 = o.optional("l2")) layer.penalty.l2 = read_lambda(*l2);
    e.layers.push_back(std::move(layer));
    in = e.layers.back().units;
  }
}

void read_loss(const SpecObject& spec, Experiment& e) {
  const std::vector<std::string> known = loss_names();
  const SpecValue v = spec.required("loss", fmt::format("a loss: its name ({}) or {{\"name\": …, \"reduction\": …}}",
                                                        list_some(known)));
  std::optional<SpecValue> reduction;
  if (v.is_object()) {
    if (!v.json().contains("name"))
      throw SpecError(v.child_path("name"),
                      fmt::format("missing; expected the name of a loss ({})", list_some(known)));
    e.loss.name = SpecValue(v.json().at("name"), v.child_path("name")).choice(known, "a loss");
    if (v.json().contains("reduction")) reduction.emplace(v.json().at("reduction"), v.child_path("reduction"));
    e.loss.options = v.json();
    e.loss.options.erase("name");
    e.loss.options.erase("reduction");
  } else {
    e.loss.name = v.choice(known, "a loss");
  }
  // A loss whose reduction changes nothing (half_sse always sums) takes none.
  const bool has_reduction =
      make_loss(e.loss.name, Reduction::mean)->describe() != make_loss(e.loss.name, Reduction::sum)->describe();
  if (reduction) {
    if (!has_reduction) {
      reduction->fail(fmt::format("{} has no reduction (it is {}); leave \"reduction\" out", e.loss.name,
                                  loss_entry(e.loss.name).formula));
    }
    e.loss.reduction = parse_reduction(reduction->choice({"mean", "sum"}, "a reduction"));
  } else if (has_reduction) {
    e.loss.reduction = Reduction::mean;
  }
  try {
    (void)make_loss(e.loss.name, Reduction::mean, e.loss.options);  // checks the settings ("delta")
  } catch (const InputError& error) {
    for (const auto& item : e.loss.options.items())  // a misspelt "reduction" more likely than a new option
      if (auto near = did_you_mean(item.key(), {"name", "reduction"}))
        throw SpecError(v.child_path(item.key()), fmt::format("unknown key (did you mean \"{}\"?)", *near));
    v.fail(error.what());
  }

  // A loss on logits applies its own softmax or sigmoid: one in the network would apply it twice.
  const Prediction takes = loss_entry(e.loss.name).takes;
  const LayerSpec& last = e.layers.back();
  const std::string where = fmt::format("network.layers[{}].activation", e.layers.size() - 1);
  if (takes == Prediction::softmax_logits && last.activation == "softmax")
    throw SpecError(where, fmt::format("softmax before the loss {}, which applies softmax itself (it takes logits): "
                                       "use \"identity\" here",
                                       e.loss.name));
  if (takes == Prediction::sigmoid_logits && last.activation == "sigmoid")
    throw SpecError(where, fmt::format("sigmoid before the loss {}, which applies the sigmoid itself (it takes "
                                       "logits): use \"identity\" here, or the loss bce on the sigmoid's probabilities",
                                       e.loss.name));
  if (loss_entry(e.loss.name).targets == TargetKind::class_index && e.outputs() < 2)
    throw SpecError(fmt::format("network.layers[{}].units", e.layers.size() - 1),
                    fmt::format("{} needs a logit per class: at least 2 outputs", e.loss.name));
}

// The optimizer and its settings, checked by building it (optimizer_table(), train/optimizers.hpp).
void read_optimizer(const SpecObject& spec, Experiment& e) {
  const std::vector<std::string> known = optimizer_names();
  const SpecValue v = spec.required("optimizer", "an object: {\"name\": …, \"learning_rate\": …}");
  if (!v.is_object()) v.fail_expected("an object: {\"name\": …, \"learning_rate\": …}");
  // With a known name, its own settings are the keys a message lists; without one, any optimizer's
  // (a misspelt key is likelier than another optimizer's).
  const Json* given = v.json().contains("name") ? &v.json().at("name") : nullptr;
  const bool known_name = given && given->is_string() &&
                          std::find(known.begin(), known.end(), given->get<std::string>()) != known.end();
  const SpecObject named = v.object([&] {
    std::vector<std::string> keys{"name"};
    for (const OptimizerEntry& entry : optimizer_table())
      if (!known_name || entry.name == given->get<std::string>())
        for (const OptimizerSetting& s : entry.settings)
          if (std::find(keys.begin(), keys.end(), s.key) == keys.end()) keys.emplace_back(s.key);
    return keys;
  }());
  e.optimizer.name = named.required("name", fmt::format("the name of an optimizer ({})", list_some(known)))
                         .choice(known, "an optimizer");
  const OptimizerEntry& entry = optimizer_entry(e.optimizer.name);
  std::vector<std::string> keys{"name"};
  for (const OptimizerSetting& s : entry.settings) keys.emplace_back(s.key);
  const SpecObject o = v.object(keys);  // now only this optimizer's settings
  for (const OptimizerSetting& s : entry.settings)
    if (s.fallback.is_null()) (void)o.required(s.key, fmt::format("{} ({})", s.expected, s.meaning));
  e.optimizer.settings = v.json();
  e.optimizer.settings.erase("name");
  try {
    (void)make_optimizer(e.optimizer.name, e.optimizer.settings);  // checks every setting
  } catch (const SettingError& error) {
    if (!v.json().contains(error.key())) v.fail(error.what());
    const SpecValue setting(v.json().at(error.key()), v.child_path(error.key()));
    if (error.index() && setting.is_array() && *error.index() < setting.json().size())  // "optimizer.betas[1]"
      SpecValue(setting.json()[*error.index()], setting.child_path(*error.index())).fail_expected(error.expected());
    setting.fail_expected(error.expected());
  } catch (const InputError& error) {
    v.fail(error.what());
  }
}

// The schedule and its settings, checked by building it (schedule_table(), train/schedules.hpp), once
// the training options and the data are read: one_cycle's length comes from the run's steps.
void read_schedule(const SpecObject& spec, Experiment& e) {
  e.schedule = ScheduleSpec{};
  auto found = spec.optional("schedule");
  if (!found) return;
  const SpecValue& v = *found;
  const std::vector<std::string> known = schedule_names();
  if (!v.is_object()) v.fail_expected("an object: {\"name\": …, and its settings}");
  const SpecObject named = v.object([&] {  // a misspelt key is likelier than another schedule's
    std::vector<std::string> keys{"name"};
    for (const ScheduleEntry& entry : schedule_table())
      for (const ScheduleSetting& s : entry.settings)
        if (std::find(keys.begin(), keys.end(), s.key) == keys.end()) keys.emplace_back(s.key);
    return keys;
  }());
  e.schedule.name =
      named.required("name", fmt::format("the name of a schedule ({})", list_some(known))).choice(known, "a schedule");
  const ScheduleEntry& entry = schedule_entry(e.schedule.name);
  std::vector<std::string> keys{"name"};
  for (const ScheduleSetting& s : entry.settings) keys.emplace_back(s.key);
  const SpecObject o = v.object(keys);  // now only this schedule's settings
  for (const ScheduleSetting& s : entry.settings)
    if (s.fallback.is_null() && !s.optional) (void)o.required(s.key, fmt::format("{} ({})", s.expected, s.meaning));
  e.schedule.settings = v.json();
  e.schedule.settings.erase("name");
  // Optimizer steps in the run: epochs × ⌈N/B⌉.
  const std::size_t N = e.data.X.rows();
  const std::size_t B = e.training.batch_size == 0 ? N : std::min(e.training.batch_size, N);
  const std::size_t run_steps = e.training.epochs * ((N + B - 1) / B);
  if (entry.unit == ScheduleUnit::batch && !e.schedule.settings.contains("total_steps") &&
      !e.schedule.settings.contains("epochs") && !e.schedule.settings.contains("steps_per_epoch"))
    e.schedule.settings["total_steps"] = run_steps;  // the whole run is one cycle
  std::unique_ptr<Schedule> schedule;
  try {
    schedule = make_schedule(e.schedule.name, e.schedule.settings);  // checks every setting
  } catch (const SettingError& error) {
    if (!v.json().contains(error.key())) v.fail(error.what());
    SpecValue(v.json().at(error.key()), v.child_path(error.key())).fail_expected(error.expected());
  } catch (const InputError& error) {
    v.fail(error.what());
  }
  const std::size_t stepped = entry.unit == ScheduleUnit::batch ? run_steps : e.training.epochs;
  if (auto limit = schedule->step_limit(); limit && stepped > *limit) {
    const std::string key = v.json().contains("total_steps") ? "total_steps" : "epochs";
    SpecValue(v.json().at(key), v.child_path(key))
        .fail(fmt::format("{} steps in all, but the run takes {} ({} epochs of {} batches of {}); leave the length "
                          "out to make the whole run one cycle",
                          *limit, stepped, e.training.epochs, (N + B - 1) / B, B));
  }
}

void read_early_stopping(const SpecValue& v, bool has_validation, Experiment& e);

void read_training(const SpecObject& spec, Experiment& e) {
  e.training = TrainOptions{};
  // What accuracy needs to know of the loss: a logit or a score says yes at 0, a probability at ½;
  // multilabel outputs are judged one by one.
  const Prediction takes = loss_entry(e.loss.name).takes;
  if (takes == Prediction::sigmoid_logits || takes == Prediction::scores) e.training.threshold = 0.0;
  e.training.multilabel = e.loss.name == "multilabel_bce";
  auto v = spec.optional("training");
  if (!v) return;
  const SpecObject o = v->object({"epochs", "batch_size", "shuffle", "classification", "threshold", "clip_grad_norm",
                                   "clip_grad_value", "validation", "early_stopping", "epoch_metrics"});
  if (auto x = o.optional("epochs")) e.training.epochs = x->whole(1, kMaxEpochs);
  if (auto x = o.optional("batch_size")) e.training.batch_size = x->whole(0);
  if (auto x = o.optional("shuffle")) e.training.shuffle = x->boolean();
  if (auto x = o.optional("classification")) e.training.classification = x->boolean();
  if (auto x = o.optional("threshold")) {
    if (!e.training.classification) x->fail("only used with \"classification\": true");
    e.training.threshold = x->number();
  }
  // Gradient clipping (train/clipping.hpp): by global norm or by value, not both.
  if (auto x = o.optional("clip_grad_norm")) e.training.clip_grad_norm = x->positive_number();
  if (auto x = o.optional("clip_grad_value")) {
    if (e.training.clip_grad_norm) x->fail("clip by norm or by value, not both (\"clip_grad_norm\" is given)");
    e.training.clip_grad_value = x->positive_number();
  }
  if (auto x = o.optional("early_stopping")) read_early_stopping(*x, o.has("validation"), e);
  // What an epoch reports (train/train.hpp): the whole set evaluated again, or the batches' running means.
  if (auto x = o.optional("epoch_metrics"))
    e.training.epoch_metrics = x->choice({"evaluate", "running"}, "how an epoch's loss and accuracy are measured") ==
                                       "running"
                                   ? EpochMetrics::running
                                   : EpochMetrics::evaluate;
}

// training.early_stopping: Keras' EarlyStopping settings (train/early_stopping.hpp).
void read_early_stopping(const SpecValue& v, bool has_validation, Experiment& e) {
  const SpecObject o =
      v.object({"monitor", "min_delta", "patience", "restore_best_weights", "baseline", "start_from_epoch"});
  EarlyStoppingOptions es;
  if (auto x = o.optional("monitor")) {
    es.monitor = x->choice(early_stopping_monitors(), "a monitored number");
    if (es.monitor.rfind("val_", 0) == 0 && !has_validation)
      x->fail(fmt::format("\"{}\" is measured on a validation set, and there is none: add \"validation\" to "
                          "\"training\" (a fraction like 0.2, or {{\"count\": 30}}), or monitor \"{}\"",
                          es.monitor, es.monitor.substr(4)));
    if (es.monitor.find("accuracy") != std::string::npos && !e.training.classification)
      x->fail(fmt::format("\"{}\" needs \"classification\": true in \"training\"", es.monitor));
  } else if (!has_validation) {
    throw SpecError(v.child_path("monitor"),
                    "missing; the default \"val_loss\" is measured on a validation set, and there is none: add "
                    "\"validation\" to \"training\", or monitor \"loss\"");
  }
  if (auto x = o.optional("min_delta")) {
    if (!x->json().is_number() || !(x->json().get<double>() >= 0)) x->fail_expected("a number ≥ 0");
    es.min_delta = x->number();
  }
  if (auto x = o.optional("patience")) es.patience = x->whole(0, kMaxEpochs);
  if (auto x = o.optional("restore_best_weights")) es.restore_best_weights = x->boolean();
  if (auto x = o.optional("baseline")) es.baseline = x->number();
  if (auto x = o.optional("start_from_epoch")) es.start_from_epoch = x->whole(0, kMaxEpochs);
  e.training.early_stopping = es;
}

// training.validation, once the data is read: a fraction (0.2 or {"fraction": 0.2}) or a count
// ({"count": 30}) of the samples, leaving at least one on each side.
void read_validation(const SpecObject& spec, Experiment& e) {
  e.validation.reset();
  auto training = spec.optional("training");
  if (!training || !training->json().contains("validation")) return;
  const SpecValue v(training->json().at("validation"), training->child_path("validation"));
  constexpr const char* expected = "a fraction of the samples in (0, 1), {\"fraction\": …} or {\"count\": …}";
  ValidationSize size;
  std::optional<SpecValue> at;
  bool is_count = false;
  if (v.json().is_number()) {
    at = v;
  } else if (v.is_object()) {
    const SpecObject o = v.object({"fraction", "count"});
    if (o.has("fraction") == o.has("count"))
      v.fail(fmt::format("expected one of \"fraction\" and \"count\", got {}", o.has("count") ? "both" : "neither"));
    is_count = o.has("count");
    at = o.optional(is_count ? "count" : "fraction");
  } else {
    v.fail_expected(expected);
  }
  const std::size_t N = e.data.X.rows();
  if (is_count) {
    if (N < 2) at->fail(fmt::format("the data has {}: none can be held out", count_of(N, "sample", "samples")));
    size.count = at->whole(1);
    if (*size.count >= N)  // at least one sample stays for training
      at->fail(fmt::format("holding out {} of the {} samples leaves none for training; at most {}", *size.count, N,
                           N - 1));
  } else {
    if (!at->json().is_number() || !(at->json().get<double>() > 0 && at->json().get<double>() < 1))
      at->fail_expected("a number between 0 and 1 (exclusive)");
    size.fraction = at->number();
  }
  try {
    (void)size.samples(N);
  } catch (const std::invalid_argument& error) {
    at->fail(error.what());
  }
  e.validation = size;
}

// Batch normalization cannot train on a batch of one sample (batch_norm.hpp): refused before the
// run, where the batches are cut, rather than in its middle.
void check_batch_norm_batches(const SpecObject& spec, const Experiment& e) {
  const bool batch_norm = std::any_of(e.layers.begin(), e.layers.end(),
                                      [](const LayerSpec& l) { return l.type == LayerSpec::Type::batch_norm; });
  if (!batch_norm) return;
  // The batches are cut from the samples trained on: N − V with V held out for validation.
  const std::size_t all = e.data.X.rows();
  const std::size_t held_out = e.validation ? e.validation->samples(all) : 0;
  const std::size_t N = all - held_out;
  const std::size_t B = e.training.batch_size == 0 ? N : std::min(e.training.batch_size, N);
  if (B > 0 && N % B != 1) return;
  const std::string why =
      B == 1 || N == 1 ? "batches of one sample" : fmt::format("a last batch of one sample ({} = {}·{} + 1)", N, N / B, B);
  const std::string samples = held_out == 0 ? count_of(N, "sample", "samples")
                                            : fmt::format("{} training samples ({} − {} held out for validation)", N,
                                                          all, held_out);
  const std::string message = fmt::format(
      "{} with {}: batch normalization needs more than 1 value per feature when training; choose another batch size",
      samples, why);
  if (auto training = spec.optional("training"))
    if (training->json().contains("batch_size"))
      SpecValue(training->json().at("batch_size"), training->child_path("batch_size")).fail(message);
  throw SpecError("training", message);
}

// ---- the rest -----------------------------------------------------------------------------------

void read_frozen(const SpecObject& spec, Experiment& e) {
  auto v = spec.optional("frozen");
  if (!v) return;
  const auto items = v->array();
  if (items.empty()) return;
  Rng rng = e.rng_at_start;
  Network net = build_network(e, rng);
  std::vector<std::string> names;
  for (const ParameterRef& p : net.parameters()) names.push_back(p.name);
  const bool all_dense = std::all_of(e.layers.begin(), e.layers.end(),
                                     [](const LayerSpec& l) { return l.type == LayerSpec::Type::dense; });
  for (const SpecValue& item : items) {
    const std::string name = item.string();
    if (std::find(names.begin(), names.end(), name) == names.end())
      item.fail(fmt::format("no parameter \"{}\"; the network's parameters are {} ({})", name, list_some(names),
                            all_dense ? "spec layer k is layers[2k], its activation layers[2k+1]"
                                      : "a dense spec layer is two layers of the network, Dense and its activation; a "
                                        "dropout or batch_norm one is one layer, two with an activation"));
    if (std::find(e.frozen.begin(), e.frozen.end(), name) != e.frozen.end()) item.fail("listed twice");
    e.frozen.push_back(name);
  }
}

void read_trace(const SpecObject& spec, Experiment& e) {
  e.trace = TraceSpec{};
  auto v = spec.optional("trace");
  if (!v) return;
  const SpecObject o = v->object({"path", "level", "max_bytes", "steps", "every_epoch"});
  if (auto p = o.optional("path")) e.trace.path = p->string();
  if (auto l = o.optional("level"))
    e.trace.level = *parse_trace_level(l->choice({"off", "summary", "step", "full"}, "a trace level"));
  if (auto m = o.optional("max_bytes")) {
    if (!m->json().is_string()) {
      e.trace.max_bytes = m->whole(1);
    } else {
      const std::optional<std::uint64_t> bytes = parse_bytes(m->string());
      if (!bytes || *bytes == 0)
        m->fail_expected("a size in bytes ≥ 1: a whole number, or text like \"500M\" or \"2G\" (K, M, G, T: "
                         "powers of 1000; Ki, Mi, Gi, Ti: of 1024)");
      e.trace.max_bytes = *bytes;
    }
  }
  // A window of steps at level full, the rest at summary (train.hpp's TraceWindow).
  TrainOptions::TraceWindow window;
  if (auto steps = o.optional("steps")) {
    const auto ends = steps->array(2);
    if (ends.size() != 2) steps->fail_expected("[A, B]: the first and the last step traced in full, from 1");
    window.first = ends[0].whole(1);
    window.last = ends[1].whole(1);
    if (window.last < window.first)
      ends[1].fail(fmt::format("the window's last step must be ≥ its first, {}", window.first));
  }
  if (auto every = o.optional("every_epoch")) window.every_epoch = every->boolean();
  if (window.first != 0 || window.every_epoch) {
    if (e.trace.level != TraceLevel::full)
      (o.has("steps") ? *o.optional("steps") : *o.optional("every_epoch"))
          .fail(fmt::format("a window of steps traced in full needs trace.level \"full\", got \"{}\"",
                            to_string(e.trace.level)));
    e.trace.window = window;
  }
  e.training.trace_window = e.trace.window;
}

void read_gradcheck(const SpecObject& spec, Experiment& e) {
  e.gradcheck = GradCheckOptions{};
  e.gradcheck.seed = e.seed;
  e.gradcheck_samples = 0;
  auto v = spec.optional("gradcheck");
  if (!v) return;
  const SpecObject o = v->object({"h", "max_elements", "samples", "check_input"});
  if (auto x = o.optional("h")) e.gradcheck.h = x->positive_number();
  if (auto x = o.optional("max_elements")) e.gradcheck.max_elements = x->whole(0);
  if (auto x = o.optional("samples")) {
    e.gradcheck_samples = x->whole(0);
    if (e.gradcheck_samples > e.data.X.rows())
      x->fail(fmt::format("{} is more than the {} in the data", e.gradcheck_samples,
                          count_of(e.data.X.rows(), "sample", "samples")));
    const bool batch_norm = std::any_of(e.layers.begin(), e.layers.end(),
                                        [](const LayerSpec& l) { return l.type == LayerSpec::Type::batch_norm; });
    if (batch_norm && (e.gradcheck_samples == 1 || (e.gradcheck_samples == 0 && e.data.X.rows() == 1)))
      x->fail("batch normalization is checked in training mode, which needs more than 1 sample");
  }
  if (auto x = o.optional("check_input")) e.gradcheck.check_input = x->boolean();
}

bool is_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

std::uint64_t memory_limit() {
  if (const char* text = std::getenv("GLASSBOX_MAX_MEMORY"))
    if (auto bytes = parse_bytes(text); bytes && *bytes > 0) return *bytes;
  std::uint64_t limit = kDefaultMemoryLimit;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0)
    limit = std::min(limit, static_cast<std::uint64_t>(pages) / 4 * 3 * static_cast<std::uint64_t>(page));
  return limit;
}

Experiment parse_experiment(const Json& spec, std::string source_name) {
  Experiment e;
  e.source = std::move(source_name);
  const SpecObject top = SpecValue(spec, "").object({"name", "description", "seed", "network", "loss", "optimizer",
                                                     "schedule", "data", "training", "frozen", "trace", "gradcheck",
                                                     "save", "test"});
  if (auto v = top.optional("name")) {
    e.name = v->string();
    if (!is_file_name(e.name))
      v->fail_expected("a name of letters, digits, '_', '-' and '.' (it names the default trace file)");
  } else {
    e.name = std::filesystem::path(e.source).stem().string();
    if (!is_file_name(e.name)) e.name = "experiment";
  }
  if (auto v = top.optional("description")) {
    if (!v->json().is_string()) v->fail_expected("a string");
    e.description = v->json().get<std::string>();
  }
  if (auto v = top.optional("seed")) e.seed = v->whole(0);
  e.rng_at_start = Rng(e.seed);
  read_network(top, e);
  read_loss(top, e);
  read_optimizer(top, e);
  read_training(top, e);
  read_data(top, e);
  read_test_data(top, e);
  {
    // The data (inputs, what the network sees, targets) and the network for a batch, together.
    const std::size_t N = e.data.X.rows();
    const std::size_t B = e.training.batch_size == 0 ? N : std::min(e.training.batch_size, N);
    const double data =
        static_cast<double>(N) * static_cast<double>(2 * e.inputs + e.target_columns()) * sizeof(Scalar);
    const double network = network_bytes(e, e.layers.size() - 1, static_cast<double>(B));
    const std::uint64_t limit = memory_limit();
    if (data + network > static_cast<double>(limit))
      throw SpecError("data", fmt::format("the data ({} samples of {} inputs) needs about {} and the network about {} "
                                          "for a batch of {}: {} in all; the limit is {} (docs/experiment-format.md, "
                                          "\"Memory\")",
                                          N, e.inputs, format_bytes(data), format_bytes(network), B,
                                          format_bytes(data + network), format_bytes(static_cast<double>(limit))));
  }
  read_validation(top, e);
  check_batch_norm_batches(top, e);
  read_schedule(top, e);
  read_frozen(top, e);
  read_trace(top, e);
  read_gradcheck(top, e);
  if (auto v = top.optional("save")) e.save = v->string();
  return e;
}

Experiment load_experiment(const std::filesystem::path& path) {
  return parse_experiment(read_json_file(path), path.string());
}

}  // namespace glassbox
