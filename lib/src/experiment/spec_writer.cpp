// glassbox/experiment/spec_writer.cpp — an experiment written back as a spec, every default written out: what
// parse_experiment() reads back to the same experiment, and what the trace header records.
#include "glassbox/experiment/experiment.hpp"

namespace glassbox {

namespace {

Json matrix_json(const Matrix& m) { return to_json(m); }

// What read_named() (spec_reader.cpp) reads: the plain name, or {"name": …, settings…}.
Json named_json(const std::string& name, const Json& options) {
  if (options.empty()) return name;
  Json named{{"name", name}};
  for (const auto& item : options.items()) named[item.key()] = item.value();
  return named;
}

}  // namespace

Json to_json(const Experiment& e, bool samples) {
  Json spec;
  spec["name"] = e.name;
  if (!e.description.empty()) spec["description"] = e.description;
  spec["seed"] = e.seed;

  Json layers = Json::array();
  for (const LayerSpec& l : e.layers) {
    Json layer;
    if (l.type == LayerSpec::Type::dropout) {
      layer["type"] = "dropout";
      layer["p"] = l.p;
    } else if (l.type == LayerSpec::Type::batch_norm) {
      layer["type"] = "batch_norm";
      layer["momentum"] = l.momentum;
      layer["eps"] = l.eps;
      if (l.gamma) layer["gamma"] = to_json(l.gamma->values());
      if (l.beta) layer["beta"] = to_json(l.beta->values());
      if (l.running_mean) layer["running_mean"] = to_json(l.running_mean->values());
      if (l.running_var) layer["running_var"] = to_json(l.running_var->values());
    } else {
      layer["units"] = l.units;
    }
    if (!l.activation.empty()) layer["activation"] = named_json(l.activation, l.activation_options);
    if (l.type == LayerSpec::Type::dense) {
      if (!(l.weights && l.biases)) layer["init"] = named_json(l.init, l.init_options);
      if (l.weights) layer["weights"] = matrix_json(*l.weights);
      if (l.biases) layer["biases"] = to_json(l.biases->values());
      if (l.penalty.l1 != 0) layer["l1"] = l.penalty.l1;
      if (l.penalty.l2 != 0) layer["l2"] = l.penalty.l2;
    }
    layers.push_back(std::move(layer));
  }
  spec["network"] = Json{{"inputs", e.inputs}, {"layers", std::move(layers)}};

  Json loss{{"name", e.loss.name}};
  if (e.loss.reduction) loss["reduction"] = std::string(to_string(*e.loss.reduction));
  for (const auto& item : e.loss.options.items()) loss[item.key()] = item.value();
  spec["loss"] = std::move(loss);

  Json optimizer{{"name", e.optimizer.name}};
  for (const auto& item : e.optimizer.settings.items()) optimizer[item.key()] = item.value();
  spec["optimizer"] = std::move(optimizer);
  if (!e.schedule.name.empty()) {
    Json schedule{{"name", e.schedule.name}};
    for (const auto& item : e.schedule.settings.items()) schedule[item.key()] = item.value();
    spec["schedule"] = std::move(schedule);
  }

  const DataSpec& d = e.data;
  Json data;
  if (d.source == DataSpec::Source::generator) {
    data["generator"] = d.generator;
    for (const auto& item : d.generator_settings.items()) data[item.key()] = item.value();
  } else if (d.source == DataSpec::Source::csv) {
    data["csv"] = d.csv;
    if (!d.input_columns.empty()) data["input_columns"] = d.input_columns;
    if (!d.label_column.empty()) {
      data["label_column"] = d.label_column;
      if (!d.classes.empty()) data["classes"] = d.classes;
    } else {
      data["target_columns"] = d.target_columns;
    }
  } else if (d.source == DataSpec::Source::idx) {
    data["idx"] = Json{{"images", d.idx_images}, {"labels", d.idx_labels}};
  } else if (d.source == DataSpec::Source::dataset) {
    data["dataset"] = d.dataset;
    data["part"] = d.part;
    if (!d.folder.empty()) data["folder"] = d.folder;
  } else if (samples) {
    data["inputs"] = matrix_json(d.given_inputs());
    data["targets"] = matrix_json(d.targets);
  } else {
    data["samples"] = d.X.rows();
  }
  if (d.fixed_standardizer)
    data["standardize"] = Json{{"mean", to_json(d.fixed_standardizer->mean().values())},
                               {"scale", to_json(d.fixed_standardizer->scale().values())}};
  else
    data["standardize"] = d.standardize;
  spec["data"] = data;
  if (e.test) {
    // The same writer for the test samples: "data" of an experiment holding them.
    Experiment only_test;
    only_test.data = *e.test;
    Json test = to_json(only_test, samples)["data"];
    test.erase("standardize");
    spec["test"] = std::move(test);
  }

  Json training{{"epochs", e.training.epochs},
                {"batch_size", e.training.batch_size},
                {"shuffle", e.training.shuffle},
                {"classification", e.training.classification}};
  if (e.training.classification) training["threshold"] = e.training.threshold;
  if (e.training.clip_grad_norm) training["clip_grad_norm"] = *e.training.clip_grad_norm;
  if (e.training.clip_grad_value) training["clip_grad_value"] = *e.training.clip_grad_value;
  if (e.training.epoch_metrics == EpochMetrics::running) training["epoch_metrics"] = "running";
  if (e.validation) {
    if (e.validation->fraction) training["validation"] = Json{{"fraction", *e.validation->fraction}};
    if (e.validation->count) training["validation"] = Json{{"count", *e.validation->count}};
  }
  if (const auto& es = e.training.early_stopping) {
    Json stopping{{"monitor", es->monitor},
                  {"min_delta", es->min_delta},
                  {"patience", es->patience},
                  {"restore_best_weights", es->restore_best_weights}};
    if (es->baseline) stopping["baseline"] = *es->baseline;
    stopping["start_from_epoch"] = es->start_from_epoch;
    training["early_stopping"] = std::move(stopping);
  }
  spec["training"] = std::move(training);
  spec["frozen"] = e.frozen;

  Json trace = Json::object();
  if (!e.trace.path.empty()) trace["path"] = e.trace.path;
  trace["level"] = std::string(to_string(e.trace.level));
  trace["max_bytes"] = e.trace.max_bytes;
  if (e.trace.window && e.trace.window->first != 0)
    trace["steps"] = Json::array({e.trace.window->first, e.trace.window->last});
  if (e.trace.window && e.trace.window->every_epoch) trace["every_epoch"] = true;
  spec["trace"] = std::move(trace);
  if (!e.save.empty()) spec["save"] = e.save;

  spec["gradcheck"] = Json{{"h", e.gradcheck.h},
                           {"max_elements", e.gradcheck.max_elements},
                           {"samples", e.gradcheck_samples},
                           {"check_input", e.gradcheck.check_input}};
  return spec;
}

}  // namespace glassbox
