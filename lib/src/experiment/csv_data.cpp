// glassbox/experiment/csv_data.cpp — the data section's samples from a CSV file: its columns by name, the
// numbers checked field by field, class labels numbered in the order given (or sorted).
//
// N = samples (the CSV file's records), K = classes.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "glassbox/core/text.hpp"
#include "glassbox/data/csv.hpp"
#include "spec_reading.hpp"

namespace glassbox {

using namespace detail;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::filesystem::path spec_folder(const std::string& source) {
  return std::filesystem::path(source).parent_path();
}

std::string folder_name(const std::filesystem::path& folder) { return folder.empty() ? "." : folder.string(); }

// The CSV header's column names, trimmed, and where each is: a hash map, so that naming every one
// of 40,000 columns costs 40,000 look-ups, not 40,000² comparisons. A repeated name is found at its
// first column.
struct ColumnNames {
  std::vector<std::string> names;
  std::unordered_map<std::string, std::size_t> index;

  explicit ColumnNames(const CsvTable& table) {
    names.reserve(table.header.fields.size());
    index.reserve(table.header.fields.size());
    for (const CsvField& f : table.header.fields) {
      names.emplace_back(trim(f.text));
      index.emplace(names.back(), names.size() - 1);
    }
  }
};

// The column called `name` in the CSV header.
std::size_t column_index(const ColumnNames& columns, const SpecValue& v, const std::string& shown_path) {
  const std::string name = v.string();
  if (auto it = columns.index.find(name); it != columns.index.end()) return it->second;
  std::string detail = fmt::format("no column \"{}\" in {}", name, shown_path);
  if (auto best = did_you_mean(name, columns.names)) detail += fmt::format(" (did you mean \"{}\"?)", *best);
  v.fail(fmt::format("{}; its columns: {}", detail, list_some(columns.names)));
}

std::vector<std::size_t> column_list(const ColumnNames& columns, const SpecValue& v, const std::string& shown_path) {
  std::vector<std::size_t> list;
  std::vector<bool> listed(columns.names.size(), false);
  for (const SpecValue& item : v.array(1)) {
    const std::size_t c = column_index(columns, item, shown_path);
    if (listed[c]) item.fail("the column is listed twice");
    listed[c] = true;
    list.push_back(c);
  }
  return list;
}

}  // namespace

void detail::read_csv_data(const SpecObject& o, const SpecValue& csv, Experiment& e) {
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
  const ColumnNames columns(table);

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
    target_cols = column_list(columns, *targets, shown);
    for (const SpecValue& t : targets->array()) d.target_columns.push_back(t.string());
    if (target_cols.size() != e.target_columns()) {
      const std::string given = count_of(target_cols.size(), "column", "columns");
      targets->fail(e.target_columns() == e.outputs()
                        ? fmt::format("{}, but the network has {} ({})", given,
                                      count_of(e.outputs(), "output", "outputs"), last_units(e))
                        : fmt::format("{}, but the loss takes {}", given, targets_why(e)));
    }
  } else {
    label_col = column_index(columns, *label, shown);
    d.label_column = label->string();
  }

  // Inputs: the columns named, or every column not used for targets.
  std::vector<bool> is_target(columns.names.size(), false);
  for (std::size_t c : target_cols) is_target[c] = true;
  if (label_col) is_target[*label_col] = true;
  std::vector<std::size_t> input_cols;
  if (auto inputs = o.optional("input_columns")) {
    input_cols = column_list(columns, *inputs, shown);
    for (const SpecValue& item : inputs->array()) d.input_columns.push_back(item.string());
    std::size_t i = 0;
    for (const SpecValue& item : inputs->array()) {
      const std::size_t c = input_cols[i++];
      if (is_target[c]) item.fail("is a target column too");
    }
    if (input_cols.size() != e.inputs)
      inputs->fail(
          fmt::format("{}, but network.inputs = {}", count_of(input_cols.size(), "column", "columns"), e.inputs));
  } else {
    std::vector<std::string> names;
    for (std::size_t c = 0; c < table.columns(); ++c)
      if (!is_target[c]) {
        input_cols.push_back(c);
        names.emplace_back(trim(table.header.fields[c].text));
      }
    if (input_cols.size() != e.inputs)
      o.value().fail(fmt::format("{} has {} besides the targets ({}), but network.inputs = {}; name the input "
                                 "columns with input_columns",
                                 shown, count_of(input_cols.size(), "column", "columns"), list_some(names),
                                 e.inputs));
  }

  // The numbers.
  const std::size_t N = table.records.size();
  d.inputs = Matrix(N, input_cols.size());
  // A number as data/csv.hpp defines one (csv_number): +1 and 1e-400 read, 1e400 out of range.
  auto number = [&](const CsvField& field, std::size_t c) {
    const CsvNumber x = csv_number(field.text);
    if (!x.problem.empty())
      csv.fail(fmt::format("{}: column \"{}\": {}", table.where(field), clip(trim(table.header.fields[c].text)),
                           x.problem));
    return static_cast<Scalar>(x.value);
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
                            d.label_column, count_of(K, "class", "classes"), list_some(d.class_names),
                            count_of(e.outputs(), "output", "outputs"), last_units(e)));
  std::unordered_map<std::string_view, std::size_t> class_index;
  for (std::size_t k = 0; k < K; ++k) class_index.emplace(d.class_names[k], k);
  std::vector<std::size_t> labels(N);
  for (std::size_t n = 0; n < N; ++n) {
    const CsvField& field = table.records[n].fields[*label_col];
    const auto it = class_index.find(trim(field.text));
    if (it == class_index.end())
      csv.fail(fmt::format("{}: column \"{}\": unknown class \"{}\"; data.classes lists {}", table.where(field),
                           d.label_column, clip(field.text), list_some(d.class_names)));
    labels[n] = it->second;
  }
  d.targets = label_targets(labels, K, e);
}

}  // namespace glassbox
