// glassbox/experiment/data_sources.cpp — the data section of a spec: where the samples come from (inline
// rows, a CSV file — csv_data.cpp —, a generator, IDX files or a named data set), and targets as the
// loss takes them.
//
// N = samples, in = the network's inputs, out = its outputs, K = classes.
#include "glassbox/experiment/experiment.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "glassbox/core/text.hpp"
#include "glassbox/data/dataset.hpp"
#include "glassbox/data/idx.hpp"
#include "glassbox/data/synthetic.hpp"
#include "spec_reading.hpp"

namespace glassbox {

using namespace detail;

// ---- the generators -----------------------------------------------------------------------------

namespace {

// Settings shared by the generators, with scikit-learn's defaults.
std::uint64_t read_samples(const SpecObject& o) {
  auto v = o.optional("samples");
  return v ? v->whole(2, 10'000'000) : 100;
}
double read_noise(const SpecObject& o) {
  auto v = o.optional("noise");
  if (!v) return 0.0;
  if (!v->json().is_number() || !(v->json().get<double>() >= 0))
    v->fail_expected("a number ≥ 0 (a standard deviation)");
  return v->number();
}
double read_factor(const SpecObject& o) {
  auto v = o.optional("factor");
  if (!v) return 0.8;
  const double f = v->json().is_number() ? v->json().get<double>() : -1;
  if (!(f >= 0 && f < 1)) v->fail_expected("a number from 0 up to (not including) 1");
  return f;
}

}  // namespace

const std::vector<GeneratorEntry>& generator_table() {
  static const std::vector<GeneratorEntry> table = {
      {"make_circles", "a circle of radius factor (class 1) inside the unit circle (class 0), noise added",
       {"samples", "noise", "factor"},
       [](const SpecObject& o) {
         return Json{{"samples", read_samples(o)}, {"noise", read_noise(o)}, {"factor", read_factor(o)}};
       },
       [](const Json& s, Rng& rng, std::vector<std::size_t>& labels) {
         auto points = synthetic::make_circles(s["samples"].get<std::size_t>(), s["noise"].get<double>(),
                                               s["factor"].get<double>(), rng);
         labels = std::move(points.labels);
         return std::move(points.X);
       }},
      {"make_moons", "two interleaving half circles (classes 0 and 1), noise added",
       {"samples", "noise"},
       [](const SpecObject& o) { return Json{{"samples", read_samples(o)}, {"noise", read_noise(o)}}; },
       [](const Json& s, Rng& rng, std::vector<std::size_t>& labels) {
         auto points = synthetic::make_moons(s["samples"].get<std::size_t>(), s["noise"].get<double>(), rng);
         labels = std::move(points.labels);
         return std::move(points.X);
       }},
  };
  return table;
}

// ---- targets as the loss takes them -------------------------------------------------------------

namespace {

std::string outputs_why(const Experiment& e) { return "the network's outputs: " + last_units(e); }

}  // namespace

namespace detail {

// "network.layers[1].units = 3": where the number of outputs comes from.
std::string last_units(const Experiment& e) {
  return fmt::format("network.layers[{}].units = {}", e.layers.size() - 1, e.outputs());
}

// Why the targets have as many columns as they have: the outputs, or one class index per sample.
std::string targets_why(const Experiment& e) {
  if (loss_entry(e.loss.name).targets == TargetKind::class_index)
    return "one class index per sample for " + e.loss.name;
  return outputs_why(e);
}

// Classes 0 … K−1 as the loss takes them: a column of class indices (sparse_softmax_cross_entropy);
// for one output and two classes, 1 for the second class and 0 (−1 for ±1 labels, the hinge) for
// the first; else one-hot rows (−1 off the class for ±1 labels: one score per class, one-vs-rest).
Matrix label_targets(const std::vector<std::size_t>& labels, std::size_t classes, const Experiment& e) {
  const TargetKind kind = loss_entry(e.loss.name).targets;
  const std::size_t N = labels.size();
  if (kind == TargetKind::class_index) {
    Matrix T(N, 1);
    for (std::size_t n = 0; n < N; ++n) T(n, 0) = static_cast<Scalar>(labels[n]);
    return T;
  }
  const Scalar off = kind == TargetKind::sign ? Scalar{-1} : Scalar{0};
  if (e.outputs() == 1) {
    Matrix T(N, 1);
    for (std::size_t n = 0; n < N; ++n) T(n, 0) = labels[n] == 1 ? Scalar{1} : off;
    return T;
  }
  Matrix T(N, classes, off);
  for (std::size_t n = 0; n < N; ++n) T(n, labels[n]) = 1;
  return T;
}

// What is wrong with target t for the loss, if anything.
std::optional<std::string> target_problem(const Experiment& e, double t) {
  switch (loss_entry(e.loss.name).targets) {
    case TargetKind::value:
      return std::nullopt;
    case TargetKind::probability:
      if (t >= 0 && t <= 1) return std::nullopt;
      return fmt::format("{} takes targets from 0 to 1, got {}", e.loss.name, t);
    case TargetKind::sign:
      if (t == -1 || t == 1) return std::nullopt;
      return fmt::format("{} takes the labels −1 and +1, got {}", e.loss.name, t);
    case TargetKind::class_index:
      if (t >= 0 && t < static_cast<double>(e.outputs()) && t == std::floor(t)) return std::nullopt;
      return fmt::format("{} takes a class index from 0 to {} ({}), got {}", e.loss.name, e.outputs() - 1,
                         last_units(e), t);
  }
  return std::nullopt;
}

}  // namespace detail

// ---- one source of samples ----------------------------------------------------------------------

namespace {

template <typename Table>
std::vector<std::string> names_of(const Table& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.name);
  return names;
}

// Points from a generator: two inputs, and two classes as one 0/1 output or two one-hot outputs.
void read_generated_data(const SpecValue& data, const SpecValue& name, Experiment& e) {
  DataSpec& d = e.data;
  d.source = DataSpec::Source::generator;
  d.generator = name.choice(names_of(generator_table()), "a generator");
  const GeneratorEntry* entry = nullptr;
  for (const auto& g : generator_table())
    if (d.generator == g.name) entry = &g;
  std::vector<std::string> settings = entry->settings;
  for (const auto& g : generator_table())
    for (const std::string& key : g.settings)
      if (std::find(settings.begin(), settings.end(), key) == settings.end() && data.json().contains(key))
        throw SpecError(data.child_path(key), fmt::format("not a setting of {} (its settings: {})", d.generator,
                                                          list_some(entry->settings)));
  std::vector<std::string> keys{"generator", "standardize"};
  keys.insert(keys.end(), settings.begin(), settings.end());
  d.generator_settings = entry->read(data.object(keys));

  if (e.inputs != 2)
    name.fail(fmt::format("{} gives points in the plane, 2 inputs, but network.inputs = {}", d.generator, e.inputs));
  if (e.outputs() != 1 && e.outputs() != 2)
    name.fail(fmt::format("{} gives 2 classes, but the network has {} ({}); one output for two classes, or one per "
                          "class",
                          d.generator, count_of(e.outputs(), "output", "outputs"), last_units(e)));
  std::vector<std::size_t> labels;
  d.inputs = entry->make(d.generator_settings, e.rng_at_start, labels);
  d.targets = label_targets(labels, 2, e);
}

// A path as written in the spec, resolved against the spec's folder when relative.
std::filesystem::path spec_relative(const Experiment& e, const std::string& written) {
  const std::filesystem::path p(written);
  return (p.is_absolute() ? p : std::filesystem::path(e.source).parent_path() / p).lexically_normal();
}

// The network's classes: one per output, or two for one output.
std::size_t network_classes(const Experiment& e) { return e.outputs() == 1 ? 2 : e.outputs(); }

// N images of rows·cols pixels, and their labels, into e.data; the inputs must be rows·cols wide.
void take_images(IdxImages&& images, const std::vector<std::size_t>& labels, const SpecValue& where,
                 Experiment& e) {
  DataSpec& d = e.data;
  if (images.pixels.cols() != e.inputs)
    where.fail(fmt::format("images of {}×{} = {} pixels, but network.inputs = {}", images.rows, images.cols,
                           images.pixels.cols(), e.inputs));
  if (labels.size() != images.count())
    where.fail(fmt::format("{} images but {} labels: one label per image", images.count(), labels.size()));
  d.inputs = std::move(images.pixels);
  d.targets = label_targets(labels, network_classes(e), e);
}

// data.idx: {"images": PATH, "labels": PATH}, any IDX files (data/idx.hpp).
void read_idx_data(const SpecValue& idx, Experiment& e) {
  DataSpec& d = e.data;
  d.source = DataSpec::Source::idx;
  const SpecObject o = idx.object({"images", "labels"});
  const SpecValue images = o.required("images", "the path of an IDX images file");
  const SpecValue labels = o.required("labels", "the path of an IDX labels file");
  d.idx_images = images.string();
  d.idx_labels = labels.string();
  d.idx_images_path = spec_relative(e, d.idx_images);
  d.idx_labels_path = spec_relative(e, d.idx_labels);
  const std::size_t K = network_classes(e);
  d.class_names.clear();
  for (std::size_t k = 0; k < K; ++k) d.class_names.push_back(std::to_string(k));
  IdxImages read_images;
  std::vector<std::size_t> read_labels;
  try {
    read_images = read_idx_images(d.idx_images_path);
  } catch (const InputError& error) {
    images.fail(error.what());
  }
  try {
    read_labels = read_idx_labels(d.idx_labels_path, K);
  } catch (const InputError& error) {
    labels.fail(fmt::format("{} (the network has {} classes: {})", error.what(), K, last_units(e)));
  }
  take_images(std::move(read_images), read_labels, idx, e);
}

// data.dataset: a named data set, one part of it, from data.folder or where Debian installs it.
void read_named_dataset(const SpecObject& o, const SpecValue& name, Experiment& e) {
  DataSpec& d = e.data;
  d.source = DataSpec::Source::dataset;
  d.dataset = name.choice({"fashion-mnist"}, "a data set");
  d.part = "train";
  if (auto part = o.optional("part")) d.part = part->choice({"train", "test"}, "a part of the data set");
  std::filesystem::path folder = fashion_mnist_debian_folder;
  if (auto f = o.optional("folder")) {
    d.folder = f->string();
    folder = spec_relative(e, d.folder);
  }
  if (e.outputs() != 10)
    name.fail(fmt::format("fashion-mnist has 10 classes, but the network has {} ({})",
                          count_of(e.outputs(), "output", "outputs"), last_units(e)));
  Dataset set;
  try {
    set = load_fashion_mnist(folder, d.part);
  } catch (const InputError& error) {
    (o.optional("folder") ? *o.optional("folder") : name).fail(error.what());
  }
  d.class_names = set.class_names;
  IdxImages images;
  images.pixels = std::move(set.X);
  images.rows = images.cols = 28;
  take_images(std::move(images), set.labels, name, e);
}

}  // namespace

void detail::read_data(const SpecObject& spec, Experiment& e) {
  std::vector<std::string> keys{"inputs",  "targets",   "csv",   "input_columns", "target_columns", "label_column",
                                "classes", "generator", "idx",   "dataset",       "part",           "folder",
                                "standardize"};
  for (const auto& g : generator_table())
    for (const std::string& key : g.settings)
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  const SpecObject o =
      spec.required("data", "an object: inline \"inputs\" and \"targets\", a \"csv\" file or a \"generator\"")
          .object(keys);
  DataSpec& d = e.data;
  d = DataSpec{};

  // One source of samples, and only its keys.
  const std::vector<std::string> inline_keys{"inputs", "targets"};
  const std::vector<std::string> csv_keys{"csv", "input_columns", "target_columns", "label_column", "classes"};
  const std::vector<std::string> idx_keys{"idx"};
  const std::vector<std::string> dataset_keys{"dataset", "part", "folder"};
  std::vector<std::string> generator_keys{"generator"};
  for (const auto& g : generator_table())
    generator_keys.insert(generator_keys.end(), g.settings.begin(), g.settings.end());
  const auto given = [&](const std::vector<std::string>& group) {
    return std::any_of(group.begin(), group.end(), [&](const std::string& k) { return o.has(k); });
  };
  const auto refuse = [&](const std::vector<std::string>& group, const std::string& why) {
    for (const std::string& k : group)
      if (auto x = o.optional(k)) x->fail(why);
  };
  if (auto generator = o.optional("generator")) {
    refuse(inline_keys, "not with data.generator: the samples come from one source");
    refuse(csv_keys, "only used with data.csv");
    refuse(idx_keys, "not with data.generator: the samples come from one source");
    refuse(dataset_keys, "only used with data.dataset");
    read_generated_data(o.value(), *generator, e);
  } else if (auto csv = o.optional("csv")) {
    refuse(inline_keys, "not with data.csv: the samples come from one source");
    refuse(generator_keys, "only used with data.generator");
    refuse(idx_keys, "not with data.csv: the samples come from one source");
    refuse(dataset_keys, "only used with data.dataset");
    read_csv_data(o, *csv, e);
  } else if (auto idx = o.optional("idx")) {
    refuse(inline_keys, "not with data.idx: the samples come from one source");
    refuse(csv_keys, "only used with data.csv");
    refuse(generator_keys, "only used with data.generator");
    refuse(dataset_keys, "only used with data.dataset");
    read_idx_data(*idx, e);
  } else if (auto dataset = o.optional("dataset")) {
    refuse(inline_keys, "not with data.dataset: the samples come from one source");
    refuse(csv_keys, "only used with data.csv");
    refuse(generator_keys, "only used with data.generator");
    read_named_dataset(o, *dataset, e);
  } else {
    refuse(csv_keys, "only used with data.csv");
    refuse(generator_keys, "only used with data.generator");
    refuse(dataset_keys, "only used with data.dataset");
    if (!given(inline_keys))
      o.value().fail("expected the samples: inline \"inputs\" and \"targets\", a \"csv\" file, a \"generator\", "
                     "\"idx\" files or a \"dataset\"");
    d.source = DataSpec::Source::inline_values;
    const SpecValue inputs =
        o.required("inputs", fmt::format("rows of {} (network.inputs)", count_of(e.inputs, "number", "numbers")));
    d.inputs = read_rows(inputs, std::nullopt, e.inputs, fmt::format("network.inputs = {}", e.inputs));
    const std::size_t width = e.target_columns();
    const SpecValue targets =
        o.required("targets", fmt::format("rows of {} ({})", count_of(width, "number", "numbers"), targets_why(e)));
    d.targets = read_rows(targets, std::nullopt, width, targets_why(e));
    if (d.targets.rows() != d.inputs.rows())
      targets.fail(fmt::format("{}, but data.inputs has {}: one target row per sample",
                               count_of(d.targets.rows(), "row", "rows"), d.inputs.rows()));
    const auto rows = targets.array();
    for (std::size_t n = 0; n < d.targets.rows(); ++n)
      for (std::size_t j = 0; j < width; ++j)
        if (auto problem = target_problem(e, d.targets(n, j)))
          (rows[n].is_array() ? SpecValue(rows[n].json().at(j), rows[n].child_path(j)) : rows[n]).fail(*problem);
  }
  if (auto s = o.optional("standardize")) {
    if (s->is_object()) {  // μ and σ as given
      const SpecObject st = s->object({"mean", "scale"});
      const std::string why = fmt::format("network.inputs = {}", e.inputs);
      Matrix mean(1, e.inputs), scale(1, e.inputs);
      read_row(st.required("mean", "μ, one number per input"), e.inputs, why, mean.data());
      const SpecValue sv = st.required("scale", "σ, one number > 0 per input");
      read_row(sv, e.inputs, why, scale.data());
      for (std::size_t j = 0; j < e.inputs; ++j)
        if (!(scale(0, j) > 0)) throw SpecError(sv.child_path(j), fmt::format("expected σ > 0, got {}", scale(0, j)));
      d.standardize = true;
      d.fixed_standardizer.emplace();
      d.fixed_standardizer->set(std::move(mean), std::move(scale));
    } else {
      d.standardize = s->boolean();
    }
  }
  if (d.fixed_standardizer) {
    d.X = d.fixed_standardizer->transform(d.inputs);
  } else if (d.standardize) {
    Standardizer standardizer;
    standardizer.fit(d.inputs);
    d.X = standardizer.transform(d.inputs);
  } else {
    d.X = std::move(d.inputs);  // the network sees them as given: kept once (DataSpec::given_inputs())
    d.inputs = Matrix();
  }
}

// "test": read as "data" is (the same forms, checks and messages, with "test" as the path), then
// kept apart; e.data is the training data again afterwards.
void detail::read_test_data(const SpecObject& spec, Experiment& e) {
  e.test.reset();
  auto v = spec.optional("test");
  if (!v) return;
  if (v->is_object()) {
    if (v->json().contains("generator"))
      SpecValue(v->json().at("generator"), v->child_path("generator"))
          .fail("not in test: a generator draws from the run's random generator; give the test samples inline or "
                "from a file");
    if (v->json().contains("standardize"))
      SpecValue(v->json().at("standardize"), v->child_path("standardize"))
          .fail("not in test: the test samples are standardized as the training data is (data.standardize)");
  }
  const Json wrapper{{"data", v->json()}};
  DataSpec training = std::move(e.data);
  try {
    read_data(SpecValue(wrapper, "").object({"data"}), e);
  } catch (const SpecError& error) {
    e.data = std::move(training);
    const std::string what = error.what();
    // "data.csv: …" → "test.csv: …", "data: …" → "test: …"
    const std::size_t colon = what.find(": ");
    std::string path = what.substr(0, colon);
    if (path.starts_with("data")) path = "test" + path.substr(4);
    throw SpecError(path, what.substr(colon + 2));
  }
  e.test = std::move(e.data);
  e.data = std::move(training);
}

}  // namespace glassbox
