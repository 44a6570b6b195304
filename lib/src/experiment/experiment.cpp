// glassbox/experiment/experiment.cpp — reading an experiment spec, checking every part, and running it.
#include "glassbox/experiment/experiment.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "glassbox/nn/activations.hpp"
#include "glassbox/core/text.hpp"
#include "glassbox/data/csv.hpp"
#include "glassbox/data/dataset.hpp"
#include "glassbox/data/synthetic.hpp"

namespace glassbox {

// ---- the tables ---------------------------------------------------------------------------------

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

const std::vector<OptimizerEntry>& optimizer_table() {
  static const std::vector<OptimizerEntry> table = {
      {"sgd", "Δθ = −η·dθ", {"learning_rate"},
       [](const SpecObject& o) -> std::unique_ptr<Optimizer> {
         return std::make_unique<SGD>(o.required("learning_rate", "a number > 0 (η)").positive_number());
       }},
  };
  return table;
}

std::size_t Experiment::target_columns() const {
  return loss_entry(loss.name).targets == TargetKind::class_index ? 1 : outputs();
}

namespace {

// Limits that catch a typo (an extra zero or three) before it asks for terabytes.
constexpr std::uint64_t kMaxWidth = 1'000'000;      // inputs, units
constexpr std::uint64_t kMaxWeights = 100'000'000;  // per layer: 800 MB of doubles

template <typename Table>
std::vector<std::string> names_of(const Table& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.name);
  return names;
}

const OptimizerEntry& optimizer_entry(const std::string& name) {
  for (const auto& e : optimizer_table())
    if (name == e.name) return e;
  throw InputError(fmt::format("unknown optimizer \"{}\"", name));
}

// "1 row", "3 rows"
std::string count_of(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// What an array of rows holds, for "got …" in messages: "3 rows", "the string "x"", "an object".
std::string found_rows(const Json& value) {
  return value.is_array() && !value.empty() ? count_of(value.size(), "row", "rows") : describe_json(value);
}
std::string found_numbers(const Json& value) {
  return value.is_array() ? count_of(value.size(), "number", "numbers") : describe_json(value);
}

// One row of `cols` numbers; `why` says where the width comes from ("network.inputs = 2").
void read_row(const SpecValue& row, std::size_t cols, const std::string& why, Scalar* out) {
  if (!row.is_array() || row.json().size() != cols)
    row.fail(fmt::format("expected {} ({}), got {}", count_of(cols, "number", "numbers"), why,
                         found_numbers(row.json())));
  std::size_t c = 0;
  for (const SpecValue& x : row.array()) out[c++] = static_cast<Scalar>(x.number());
}

// A matrix written as rows of `cols` numbers, with exactly `rows` rows when that is given. For one
// column, a plain list of numbers is taken as one number per row.
Matrix read_rows(const SpecValue& v, std::optional<std::size_t> rows, std::size_t cols, const std::string& why) {
  const std::string numbers = count_of(cols, "number", "numbers");
  const std::string shape = rows ? fmt::format("{} of {}", count_of(*rows, "row", "rows"), numbers)
                                 : fmt::format("rows of {}", numbers);
  if (!v.is_array() || (rows && v.json().size() != *rows) || v.json().empty())
    v.fail(fmt::format("expected {} ({}), got {}", shape, why, found_rows(v.json())));
  Matrix m(v.json().size(), cols);
  std::size_t r = 0;
  for (const SpecValue& row : v.array()) {
    if (cols == 1 && row.json().is_number())
      m(r, 0) = static_cast<Scalar>(row.number());
    else
      read_row(row, cols, why, m.row_ptr(r));
    ++r;
  }
  return m;
}

Json matrix_json(const Matrix& m) { return to_json(m); }

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
                      fmt::format("missing; expected the {}'s name ({})", what, fmt::join(known, ", ")));
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

void read_network(const SpecObject& spec, Experiment& e) {
  const SpecObject net =
      spec.required("network", "an object with \"inputs\" and \"layers\"").object({"inputs", "layers"});
  e.inputs = net.required("inputs", "a whole number ≥ 1 (the width of one sample)").whole(1, kMaxWidth);
  const auto layers = net.required("layers", "a non-empty array of layers").array(1);
  std::size_t in = e.inputs;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const SpecObject o = layers[k].object({"units", "activation", "init", "weights", "biases"});
    LayerSpec layer;
    const SpecValue units = o.required("units", "a whole number ≥ 1");
    layer.units = units.whole(1, kMaxWidth);
    if (layer.units * in > kMaxWeights)
      units.fail(fmt::format("Dense({}→{}) would have {} weights; a layer may have at most {}", in, layer.units,
                             layer.units * in, kMaxWeights));
    read_activation(o.required("activation", fmt::format("the name of an activation ({})",
                                                         fmt::join(activation_names(), ", "))),
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
    e.layers.push_back(std::move(layer));
    in = e.layers.back().units;
  }
}

void read_loss(const SpecObject& spec, Experiment& e) {
  const std::vector<std::string> known = loss_names();
  const SpecValue v = spec.required("loss", fmt::format("a loss: its name ({}) or {{\"name\": …, \"reduction\": …}}",
                                                        fmt::join(known, ", ")));
  std::optional<SpecValue> reduction;
  if (v.is_object()) {
    if (!v.json().contains("name"))
      throw SpecError(v.child_path("name"),
                      fmt::format("missing; expected the name of a loss ({})", fmt::join(known, ", ")));
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
void read_optimizer(const SpecObject& spec, Experiment& e) {
  const std::vector<std::string> known = names_of(optimizer_table());
  const SpecValue v = spec.required("optimizer", "an object: {\"name\": …, \"learning_rate\": …}");
  if (!v.is_object()) v.fail_expected("an object: {\"name\": …, \"learning_rate\": …}");
  const SpecObject named = v.object([&] {
    std::vector<std::string> keys{"name"};
    for (const auto& entry : optimizer_table())
      for (const auto& s : entry.settings)
        if (std::find(keys.begin(), keys.end(), s) == keys.end()) keys.push_back(s);
    return keys;
  }());
  e.optimizer.name = named.required("name", fmt::format("the name of an optimizer ({})", fmt::join(known, ", ")))
                         .choice(known, "an optimizer");
  const OptimizerEntry& entry = optimizer_entry(e.optimizer.name);
  std::vector<std::string> keys{"name"};
  keys.insert(keys.end(), entry.settings.begin(), entry.settings.end());
  const SpecObject o = v.object(keys);  // now only this optimizer's settings
  (void)entry.make(o);                  // checks every setting
  e.optimizer.settings = v.json();
  e.optimizer.settings.erase("name");
}

void read_training(const SpecObject& spec, Experiment& e) {
  e.training = TrainOptions{};
  // What accuracy needs to know of the loss: a logit or a score says yes at 0, a probability at ½;
  // multilabel outputs are judged one by one.
  const Prediction takes = loss_entry(e.loss.name).takes;
  if (takes == Prediction::sigmoid_logits || takes == Prediction::scores) e.training.threshold = 0.0;
  e.training.multilabel = e.loss.name == "multilabel_bce";
  auto v = spec.optional("training");
  if (!v) return;
  const SpecObject o = v->object({"epochs", "batch_size", "shuffle", "classification", "threshold"});
  if (auto x = o.optional("epochs")) e.training.epochs = x->whole(1);
  if (auto x = o.optional("batch_size")) e.training.batch_size = x->whole(0);
  if (auto x = o.optional("shuffle")) e.training.shuffle = x->boolean();
  if (auto x = o.optional("classification")) e.training.classification = x->boolean();
  if (auto x = o.optional("threshold")) {
    if (!e.training.classification) x->fail("only used with \"classification\": true");
    e.training.threshold = x->number();
  }
}

// ---- data ---------------------------------------------------------------------------------------

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::filesystem::path spec_folder(const std::string& source) {
  return std::filesystem::path(source).parent_path();
}

std::string folder_name(const std::filesystem::path& folder) { return folder.empty() ? "." : folder.string(); }

// "network.layers[1].units = 3": where the number of outputs comes from.
std::string last_units(const Experiment& e) {
  return fmt::format("network.layers[{}].units = {}", e.layers.size() - 1, e.outputs());
}
std::string outputs_why(const Experiment& e) { return "the network's outputs: " + last_units(e); }

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

// The column called `name` in the CSV header.
std::size_t column_index(const CsvTable& table, const SpecValue& v, const std::string& shown_path) {
  const std::string name = v.string();
  std::vector<std::string> columns;
  for (const CsvField& f : table.header.fields) columns.emplace_back(trim(f.text));
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == name) return c;
  std::string detail = fmt::format("no column \"{}\" in {}", name, shown_path);
  if (auto best = did_you_mean(name, columns)) detail += fmt::format(" (did you mean \"{}\"?)", *best);
  v.fail(fmt::format("{}; its columns: {}", detail, fmt::join(columns, ", ")));
}

std::vector<std::size_t> column_list(const CsvTable& table, const SpecValue& v, const std::string& shown_path) {
  std::vector<std::size_t> columns;
  for (const SpecValue& item : v.array(1)) {
    const std::size_t c = column_index(table, item, shown_path);
    if (std::find(columns.begin(), columns.end(), c) != columns.end()) item.fail("the column is listed twice");
    columns.push_back(c);
  }
  return columns;
}

void read_csv_data(const SpecObject& o, const SpecValue& csv, Experiment& e) {
  DataSpec& d = e.data;
  d.source = DataSpec::Source::csv;
  d.csv = csv.string();
  const std::filesystem::path folder = spec_folder(e.source);
  const std::filesystem::path written(d.csv);
  d.csv_path = (written.is_absolute() ? written : folder / written).lexically_normal();
  const std::string shown = d.csv_path.string();
  CsvTable table;
  try {
    table = read_csv(d.csv_path);
  } catch (const InputError& error) {
    std::error_code ec;
    if (!std::filesystem::exists(d.csv_path, ec) && std::filesystem::path(d.csv).is_relative())
      csv.fail(fmt::format("{} (a relative path is taken from the spec's folder, {})", error.what(),
                           folder_name(folder)));
    csv.fail(error.what());
  }
  if (table.records.empty()) csv.fail(fmt::format("{}: no samples after the header", shown));

  // Targets: numeric columns, or one column of class labels.
  std::vector<std::size_t> target_cols;
  std::optional<std::size_t> label_col;
  const auto targets = o.optional("target_columns");
  const auto label = o.optional("label_column");
  if (targets && label) label->fail("give either target_columns or label_column, not both");
  if (!targets && !label)
    throw SpecError(o.value().child_path("target_columns"),
                    "missing; expected the names of the target columns (or a label_column of class names)");
  if (auto classes = o.optional("classes"); classes && !label) classes->fail("only used with label_column");
  if (targets) {
    target_cols = column_list(table, *targets, shown);
    for (const SpecValue& t : targets->array()) d.target_columns.push_back(t.string());
    if (target_cols.size() != e.target_columns()) {
      const std::string given = count_of(target_cols.size(), "column", "columns");
      targets->fail(e.target_columns() == e.outputs()
                        ? fmt::format("{}, but the network has {} ({})", given,
                                      count_of(e.outputs(), "output", "outputs"), last_units(e))
                        : fmt::format("{}, but the loss takes {}", given, targets_why(e)));
    }
  } else {
    label_col = column_index(table, *label, shown);
    d.label_column = label->string();
  }

  // Inputs: the columns named, or every column not used for targets.
  std::vector<std::size_t> input_cols;
  if (auto inputs = o.optional("input_columns")) {
    input_cols = column_list(table, *inputs, shown);
    for (const SpecValue& item : inputs->array()) d.input_columns.push_back(item.string());
    std::size_t i = 0;
    for (const SpecValue& item : inputs->array()) {
      const std::size_t c = input_cols[i++];
      if (c == label_col || std::find(target_cols.begin(), target_cols.end(), c) != target_cols.end())
        item.fail("is a target column too");
    }
    if (input_cols.size() != e.inputs)
      inputs->fail(
          fmt::format("{}, but network.inputs = {}", count_of(input_cols.size(), "column", "columns"), e.inputs));
  } else {
    std::vector<std::string> names;
    for (std::size_t c = 0; c < table.columns(); ++c)
      if (c != label_col && std::find(target_cols.begin(), target_cols.end(), c) == target_cols.end()) {
        input_cols.push_back(c);
        names.emplace_back(trim(table.header.fields[c].text));
      }
    if (input_cols.size() != e.inputs)
      o.value().fail(fmt::format("{} has {} besides the targets ({}), but network.inputs = {}; name the input "
                                 "columns with input_columns",
                                 shown, count_of(input_cols.size(), "column", "columns"), fmt::join(names, ", "),
                                 e.inputs));
  }

  // The numbers.
  const std::size_t N = table.records.size();
  d.inputs = Matrix(N, input_cols.size());
  auto number = [&](const CsvField& field, std::size_t c) {
    const std::string_view text = trim(field.text);
    double x = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(x))
      csv.fail(fmt::format("{}: column \"{}\": expected a number, got {}", table.where(field),
                           trim(table.header.fields[c].text),
                           text.empty() ? std::string("an empty field") : fmt::format("\"{}\"", field.text)));
    return static_cast<Scalar>(x);
  };
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t j = 0; j < input_cols.size(); ++j)
      d.inputs(n, j) = number(table.records[n].fields[input_cols[j]], input_cols[j]);

  if (!label_col) {
    d.targets = Matrix(N, target_cols.size());
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t j = 0; j < target_cols.size(); ++j) {
        const CsvField& field = table.records[n].fields[target_cols[j]];
        d.targets(n, j) = number(field, target_cols[j]);
        if (auto problem = target_problem(e, d.targets(n, j)))
          csv.fail(fmt::format("{}: column \"{}\": {}", table.where(field),
                               trim(table.header.fields[target_cols[j]].text), *problem));
      }
    return;
  }

  // Class labels: in the order given, or sorted (as scikit-learn's LabelEncoder numbers them).
  if (auto classes = o.optional("classes")) {
    std::set<std::string> seen;
    for (const SpecValue& c : classes->array(2)) {
      d.classes.push_back(c.string());
      if (!seen.insert(d.classes.back()).second) c.fail("the class is listed twice");
    }
    d.class_names = d.classes;
  } else {
    std::set<std::string> labels;
    for (const CsvRecord& r : table.records) labels.emplace(trim(r.fields[*label_col].text));
    d.class_names.assign(labels.begin(), labels.end());
  }
  const std::size_t K = d.class_names.size();
  const bool binary = e.outputs() == 1 && K == 2;  // one output: t = 1 for the second class
  if (!binary && K != e.outputs())
    label->fail(fmt::format("\"{}\" has {} ({}), but the network has {} ({}); one output per class, or one "
                            "output for two classes",
                            d.label_column, count_of(K, "class", "classes"), fmt::join(d.class_names, ", "),
                            count_of(e.outputs(), "output", "outputs"), last_units(e)));
  std::vector<std::size_t> labels(N);
  for (std::size_t n = 0; n < N; ++n) {
    const CsvField& field = table.records[n].fields[*label_col];
    const auto it = std::find(d.class_names.begin(), d.class_names.end(), trim(field.text));
    if (it == d.class_names.end())
      csv.fail(fmt::format("{}: column \"{}\": unknown class \"{}\"; data.classes lists {}", table.where(field),
                           d.label_column, field.text, fmt::join(d.class_names, ", ")));
    labels[n] = static_cast<std::size_t>(it - d.class_names.begin());
  }
  d.targets = label_targets(labels, K, e);
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
                                                          fmt::join(entry->settings, ", ")));
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

void read_data(const SpecObject& spec, Experiment& e) {
  std::vector<std::string> keys{"inputs", "targets", "csv", "input_columns", "target_columns", "label_column",
                                "classes", "generator", "standardize"};
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
    read_generated_data(o.value(), *generator, e);
  } else if (auto csv = o.optional("csv")) {
    refuse(inline_keys, "not with data.csv: the samples come from one source");
    refuse(generator_keys, "only used with data.generator");
    read_csv_data(o, *csv, e);
  } else {
    refuse(csv_keys, "only used with data.csv");
    refuse(generator_keys, "only used with data.generator");
    if (!given(inline_keys))
      o.value().fail("expected the samples: inline \"inputs\" and \"targets\", a \"csv\" file or a \"generator\"");
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
  if (auto s = o.optional("standardize")) d.standardize = s->boolean();
  d.X = d.inputs;
  if (d.standardize) {
    Standardizer standardizer;
    standardizer.fit(d.inputs);
    d.X = standardizer.transform(d.inputs);
  }
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
  for (const SpecValue& item : items) {
    const std::string name = item.string();
    if (std::find(names.begin(), names.end(), name) == names.end())
      item.fail(fmt::format("no parameter \"{}\"; the network's parameters are {} (spec layer k is layers[2k], its "
                            "activation layers[2k+1])",
                            name, fmt::join(names, ", ")));
    if (std::find(e.frozen.begin(), e.frozen.end(), name) != e.frozen.end()) item.fail("listed twice");
    e.frozen.push_back(name);
  }
}

void read_trace(const SpecObject& spec, Experiment& e) {
  e.trace = TraceSpec{};
  auto v = spec.optional("trace");
  if (!v) return;
  const SpecObject o = v->object({"path", "level"});
  if (auto p = o.optional("path")) e.trace.path = p->string();
  if (auto l = o.optional("level"))
    e.trace.level = *parse_trace_level(l->choice({"off", "summary", "step", "full"}, "a trace level"));
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
  }
  if (auto x = o.optional("check_input")) e.gradcheck.check_input = x->boolean();
}

bool is_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

std::filesystem::path Experiment::trace_path(std::string_view command) const {
  if (!trace.path.empty()) return trace.path;
  const std::string file = command == "run" ? name + ".json" : fmt::format("{}.{}.json", name, command);
  return std::filesystem::path("traces") / file;
}

Experiment parse_experiment(const Json& spec, std::string source_name) {
  Experiment e;
  e.source = std::move(source_name);
  const SpecObject top = SpecValue(spec, "").object({"name", "description", "seed", "network", "loss", "optimizer",
                                                     "data", "training", "frozen", "trace", "gradcheck"});
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
  read_frozen(top, e);
  read_trace(top, e);
  read_gradcheck(top, e);
  return e;
}

Experiment load_experiment(const std::filesystem::path& path) {
  return parse_experiment(read_json_file(path), path.string());
}

namespace {

// What read_named() reads: the plain name, or {"name": …, settings…}.
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
    layer["units"] = l.units;
    layer["activation"] = named_json(l.activation, l.activation_options);
    if (!(l.weights && l.biases)) layer["init"] = named_json(l.init, l.init_options);
    if (l.weights) layer["weights"] = matrix_json(*l.weights);
    if (l.biases) layer["biases"] = to_json(l.biases->values());
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
  } else if (samples) {
    data["inputs"] = matrix_json(d.inputs);
    data["targets"] = matrix_json(d.targets);
  } else {
    data["samples"] = d.inputs.rows();
  }
  data["standardize"] = d.standardize;
  spec["data"] = std::move(data);

  Json training{{"epochs", e.training.epochs},
                {"batch_size", e.training.batch_size},
                {"shuffle", e.training.shuffle},
                {"classification", e.training.classification}};
  if (e.training.classification) training["threshold"] = e.training.threshold;
  spec["training"] = std::move(training);
  spec["frozen"] = e.frozen;

  Json trace = Json::object();
  if (!e.trace.path.empty()) trace["path"] = e.trace.path;
  trace["level"] = std::string(to_string(e.trace.level));
  spec["trace"] = std::move(trace);

  spec["gradcheck"] = Json{{"h", e.gradcheck.h},
                           {"max_elements", e.gradcheck.max_elements},
                           {"samples", e.gradcheck_samples},
                           {"check_input", e.gradcheck.check_input}};
  return spec;
}

// ---- running ------------------------------------------------------------------------------------

Network build_network(const Experiment& e, Rng& rng) {
  Network net;
  std::size_t in = e.inputs;
  for (const LayerSpec& l : e.layers) {
    Matrix W(l.units, in), b(1, l.units);
    if (!(l.weights && l.biases)) make_initializer(l.init, l.init_options)(W, b, rng);
    if (l.weights) W = *l.weights;
    if (l.biases) b = *l.biases;
    net.dense(std::move(W), std::move(b));
    net.activation(l.activation, l.activation_options);
    in = l.units;
  }
  for (const std::string& name : e.frozen) net.freeze(name);
  return net;
}

std::unique_ptr<Loss> make_loss(const Experiment& e) {
  return make_loss(e.loss.name, e.loss.reduction.value_or(Reduction::mean), e.loss.options);
}

std::unique_ptr<Optimizer> make_optimizer(const Experiment& e) {
  Json spec = e.optimizer.settings;
  spec["name"] = e.optimizer.name;
  const OptimizerEntry& entry = optimizer_entry(e.optimizer.name);
  std::vector<std::string> keys{"name"};
  keys.insert(keys.end(), entry.settings.begin(), entry.settings.end());
  return entry.make(SpecValue(spec, "optimizer").object(keys));
}

TraceHeader trace_header(const Experiment& e, std::string program) {
  Json hyperparameters = to_json(e, false);
  hyperparameters.erase("trace");  // where the trace goes does not change its numbers
  Rng rng = e.rng_at_start;
  return TraceHeader{std::move(program), 0, e.seed, std::move(hyperparameters), build_network(e, rng).describe()};
}

Json RunResult::to_json() const {
  Json result;
  result["initial_loss"] = glassbox::to_json(initial_loss);
  if (!history.empty()) {
    const EpochStats& last = history.back();
    result["epochs"] = last.epoch;
    result["steps"] = last.steps;
    result["loss"] = glassbox::to_json(last.loss);
    if (last.accuracy) result["accuracy"] = *last.accuracy;
  }
  return result;
}

RunResult run_experiment(const Experiment& e, Tracer& tracer, const EpochCallback& on_epoch) {
  Rng rng = e.rng_at_start;
  RunResult result;
  result.network = build_network(e, rng);
  const auto loss = make_loss(e);
  const auto optimizer = make_optimizer(e);
  result.initial_loss = evaluate(result.network, *loss, e.data.X, e.data.targets).loss;
  result.history =
      train(result.network, *loss, *optimizer, e.data.X, e.data.targets, rng, e.training, tracer, on_epoch);
  return result;
}

GradCheckReport gradcheck_experiment(const Experiment& e, Tracer& tracer) {
  Rng rng = e.rng_at_start;
  Network net = build_network(e, rng);
  const auto loss = make_loss(e);
  const std::size_t N = e.gradcheck_samples == 0 ? e.data.X.rows() : e.gradcheck_samples;
  const Matrix X = slice_rows(e.data.X, 0, N);
  const Matrix T = slice_rows(e.data.targets, 0, N);
  GradCheckOptions options = e.gradcheck;
  options.seed = e.seed;
  GradCheckReport report = check_network(net, *loss, X, T, options);
  if (tracer.wants(TraceLevel::summary)) tracer.record(TraceLevel::summary, report.to_json());
  return report;
}

}  // namespace glassbox
