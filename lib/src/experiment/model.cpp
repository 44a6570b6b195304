// glassbox/experiment/model.cpp — a trained model saved as its experiment spec with the learned numbers
// written in, and read back.
//
// The saved file is the spec (to_json, every default written out) where each dense layer has explicit
// "weights" and "biases" (its "init" left out) and each batch_norm layer explicit "gamma", "beta",
// "running_mean" and "running_var": parse_experiment() reads it like any spec and build_network()
// rebuilds the trained network from it, drawing nothing. Doubles are written by nlohmann::json's
// shortest round-trip form (the fewest digits that read back to the same double, at most 17), so
// every number reads back bit for bit.
#include "glassbox/experiment/experiment.hpp"

#include <string>

#include <fmt/format.h>

#include "glassbox/io/output_file.hpp"
#include "glassbox/nn/batch_norm.hpp"
#include "glassbox/nn/dense.hpp"

namespace glassbox {

namespace {

// A row of numbers on one line; objects and other arrays one item a line: a 784×256 weight matrix
// is 256 lines, readable in an editor, and about 20 bytes a number.
void write_json(std::string& out, const Json& j, int indent) {
  const auto flat = [](const Json& a) {
    for (const Json& x : a)
      if (x.is_structured()) return false;
    return true;
  };
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  if (j.is_object() && !j.empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& item : j.items()) {
      if (!first) out += ",\n";
      first = false;
      out += pad + Json(item.key()).dump() + ": ";
      write_json(out, item.value(), indent + 2);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "}";
  } else if (j.is_array() && !j.empty() && !flat(j)) {
    out += "[\n";
    for (std::size_t i = 0; i < j.size(); ++i) {
      out += pad;
      write_json(out, j[i], indent + 2);
      out += i + 1 < j.size() ? ",\n" : "\n";
    }
    out += std::string(static_cast<std::size_t>(indent), ' ') + "]";
  } else {
    out += j.dump();  // numbers: nlohmann's shortest round-trip form
  }
}

}  // namespace

Json model_json(const Experiment& e, Network& trained, const Standardizer* standardizer) {
  Json spec = to_json(e);
  spec.erase("save");  // running the saved model again does not overwrite it
  if (e.data.standardize && !e.data.fixed_standardizer) {
    Standardizer fitted;
    if (!standardizer) {
      fitted.fit(e.data.inputs);  // as read_data() fit it
      standardizer = &fitted;
    }
    spec["data"]["standardize"] = Json{{"mean", to_json(standardizer->mean().values())},
                                       {"scale", to_json(standardizer->scale().values())}};
  }
  Json& layers = spec["network"]["layers"];
  std::size_t position = 0;  // the spec layer's first layer in the Network
  for (std::size_t k = 0; k < e.layers.size(); ++k) {
    const LayerSpec& l = e.layers[k];
    Json& layer = layers[k];
    if (l.type == LayerSpec::Type::dense) {
      const auto& dense = dynamic_cast<const Dense&>(trained.layer(position));
      layer.erase("init");
      layer["weights"] = to_json(dense.W);
      layer["biases"] = to_json(dense.b.values());
    } else if (l.type == LayerSpec::Type::batch_norm) {
      const auto& bn = dynamic_cast<const BatchNorm&>(trained.layer(position));
      layer["gamma"] = to_json(bn.gamma.values());
      layer["beta"] = to_json(bn.beta.values());
      layer["running_mean"] = to_json(bn.running_mean.values());
      layer["running_var"] = to_json(bn.running_var.values());
    }
    if (!l.activation.empty()) {
      ++position;
      if (!trained.layer(position).parameters().empty())
        throw UsageError(fmt::format("network.layers[{}]: the activation {} learns parameters of its own; a saved "
                                     "model holds those of dense and batch_norm layers only",
                                     k, l.activation));
    }
    ++position;
  }
  return spec;
}

std::string model_text(const Json& model) {
  std::string text;
  write_json(text, model, 0);
  text += "\n";
  return text;
}

void save_model(const Experiment& e, Network& trained, const std::filesystem::path& path,
                const Standardizer* standardizer) {
  Json model = model_json(e, trained, standardizer);
  // A relative data path, resolved from the spec's folder, made relative to the model's.
  const std::filesystem::path model_folder = std::filesystem::absolute(path).parent_path();
  const auto relocate = [&](Json& field, const std::string& written, const std::filesystem::path& resolved) {
    if (written.empty() || std::filesystem::path(written).is_absolute()) return;
    field = std::filesystem::absolute(resolved).lexically_relative(model_folder).string();
  };
  const std::filesystem::path spec_folder = std::filesystem::path(e.source).parent_path();
  const auto relocate_all = [&](Json& data, const DataSpec& d) {
    relocate(data["csv"], d.csv, d.csv_path);
    if (d.source == DataSpec::Source::idx) {
      relocate(data["idx"]["images"], d.idx_images, d.idx_images_path);
      relocate(data["idx"]["labels"], d.idx_labels, d.idx_labels_path);
    }
    relocate(data["folder"], d.folder, (spec_folder / d.folder).lexically_normal());
    for (const char* key : {"csv", "folder"})
      if (data.contains(key) && data[key].is_null()) data.erase(key);
  };
  relocate_all(model["data"], e.data);
  if (e.test) relocate_all(model["test"], *e.test);
  const std::string text = model_text(model);
  OutputFile file(path, "model");
  if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size())
    throw OutputError(fmt::format("model: writing {} failed", path.string()));
  file.commit();
}

void check_trained(const Experiment& e) {
  for (std::size_t k = 0; k < e.layers.size(); ++k) {
    const LayerSpec& l = e.layers[k];
    std::string missing;
    if (l.type == LayerSpec::Type::dense && !l.weights) missing = "\"weights\"";
    if (l.type == LayerSpec::Type::dense && l.weights && !l.biases) missing = "\"biases\"";
    if (l.type == LayerSpec::Type::batch_norm && !(l.gamma && l.beta && l.running_mean && l.running_var))
      missing = "\"gamma\", \"beta\", \"running_mean\" and \"running_var\"";
    if (!missing.empty())
      throw SpecError(fmt::format("network.layers[{}]", k),
                      fmt::format("not a trained model: no {} (a model is what glassbox run --save writes)", missing));
  }
}

Model load_model(const Json& model, std::string source_name) {
  Model m{parse_experiment(model, std::move(source_name)), {}};
  check_trained(m.experiment);
  Rng rng = m.experiment.rng_at_start;  // nothing is drawn: every parameter is given
  m.network = build_network(m.experiment, rng);
  m.network.eval();
  return m;
}

Model load_model(const std::filesystem::path& path) {
  return load_model(read_json_file(path, kMaxModelBytes), path.string());
}

}  // namespace glassbox
