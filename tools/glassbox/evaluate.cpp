// glassbox evaluate MODEL [DATA] and glassbox predict MODEL INPUT: a model that `glassbox run --save`
// wrote (experiment.hpp, "saved models"), loaded and run in evaluation mode on samples.
//
// N = samples, in = the network's inputs, K = classes (the outputs, or 2 for one output).
//
// evaluate: DATA is a JSON file holding one data object in any form a spec's "data" takes (paths in
// it relative to its own folder); without DATA, the model's test samples ("test") if it has them,
// else its own data. It prints the accuracy,
// scikit-learn's classification report (precision, recall, F1 per class, with the class names), the
// confusion matrix and the most confident mistakes (train/classification_report.hpp).
// predict: INPUT is a CSV file (its header names the columns; the model's input_columns are taken
// if it names them, else every column but the model's target or label columns) or, for any other
// name, an IDX images file (data/idx.hpp); standardized with the model's μ and σ if it has them. One CSV line per sample: for a classifier its class and
// the probability given to it, otherwise the network's outputs.
// Exit codes: 0 done; 1 a write failed; 2 a bad command line, model, data or input file.
#include "evaluate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "glassbox/data/csv.hpp"
#include "glassbox/data/idx.hpp"
#include "glassbox/experiment/experiment.hpp"
#include "glassbox/io/output_file.hpp"
#include "glassbox/train/classification_report.hpp"

namespace glassbox {

namespace {

const char* const kEvaluateHelp =
    "usage: glassbox evaluate MODEL [DATA] [--mistakes N]\n\n"
    "Loads a model saved by `glassbox run --save` and reports on DATA (a JSON file holding one data\n"
    "object, as a spec's \"data\": {\"dataset\": \"fashion-mnist\", \"part\": \"test\"}, {\"idx\": …}, {\"csv\": …};\n"
    "without it, the model's \"test\" samples, or its data): accuracy, precision, recall and F1 per class, the\n"
    "confusion\n"
    "matrix, and the most confident mistakes.\n\n"
    "options:\n"
    "  --mistakes N   how many of the most confident mistakes to list (default 10, 0 for none)\n"
    "  --help         this text\n\n"
    "exit codes: 0 done, 2 a bad command line, model or data\n";

const char* const kPredictHelp =
    "usage: glassbox predict MODEL INPUT [-o FILE]\n\n"
    "Loads a model saved by `glassbox run --save` and prints its predictions for the samples of INPUT,\n"
    "one CSV line each: index, class, class name and probability for a classifier, the outputs\n"
    "otherwise. INPUT is a CSV file (*.csv: the model's input columns, by name) or an IDX images file.\n\n"
    "options:\n"
    "  -o, --output FILE   write the predictions to FILE instead of printing them\n"
    "  --help              this text\n\n"
    "exit codes: 0 done, 1 the output could not be written, 2 a bad command line, model or input\n";

// The model's spec made ready for inference: no held-out part, no early stopping, one batch, no
// schedule or gradient-check settings (which depend on the training samples), no trace, nothing
// saved; DATA's data object in place of the model's when given.
Json inference_spec(Json model, const Json* data) {
  if (!model.is_object()) return model;  // parse_experiment reports it
  if (model.contains("training") && model["training"].is_object()) {
    model["training"].erase("validation");
    model["training"].erase("early_stopping");
    model["training"]["batch_size"] = 0;
  }
  model.erase("schedule");
  model.erase("gradcheck");
  model.erase("save");
  model["trace"] = Json{{"level", "off"}};
  if (data) {
    // The model's μ and σ go with it: DATA's samples are standardized as the training ones were.
    const Json standardize = model.contains("data") && model["data"].is_object() && model["data"].contains("standardize")
                                 ? model["data"]["standardize"]
                                 : Json();
    model["data"] = *data;
    if (model["data"].is_object() && standardize.is_object()) model["data"]["standardize"] = standardize;
  } else if (model.contains("test") && model["test"].is_object() && model.contains("data") &&
             model["data"].is_object()) {
    // Without DATA: the model's test samples, if it has them, standardized as its data is.
    Json test = model["test"];
    if (model["data"].contains("standardize")) test["standardize"] = model["data"]["standardize"];
    model["data"] = std::move(test);
  }
  model.erase("test");
  return model;
}

// The model, with DATA's data if given (paths relative to DATA's folder): its errors name the file
// they are in.
Model load_for_inference(const std::string& model_path, const std::string& data_path) {
  const Json model = read_json_file(model_path, kMaxModelBytes);
  if (data_path.empty()) return load_model(inference_spec(model, nullptr), model_path);
  const Json data = read_json_file(data_path);
  try {
    return load_model(inference_spec(model, &data), data_path);
  } catch (const SpecError& e) {
    const std::string what = e.what();
    if (what.starts_with("data")) throw InputError(fmt::format("{}: {}", data_path, what));
    throw InputError(fmt::format("{}: {}", model_path, what));
  }
}

void refuse_standardized(const Model& m, const std::string& model_path) {
  if (m.experiment.data.standardize && !m.experiment.data.fixed_standardizer)
    throw UsageError(fmt::format("{}: data.standardize: the model standardizes its inputs but does not hold the μ "
                                 "and σ it was trained with (data.standardize: {{\"mean\": …, \"scale\": …}}, as "
                                 "glassbox run --save writes it)",
                                 model_path));
}

// The network's outputs for X (N×in), a thousand rows at a time.
Matrix outputs_of(Network& net, const Matrix& X) {
  Matrix Y(X.rows(), net.output_width());
  std::vector<std::size_t> rows;
  Matrix Xb;
  for (std::size_t first = 0; first < X.rows(); first += 1000) {
    rows.clear();
    for (std::size_t n = first; n < std::min(X.rows(), first + 1000); ++n) rows.push_back(n);
    gather_rows_into(Xb, X, rows);
    const Matrix& Yb = net.forward(Xb);
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t j = 0; j < Y.cols(); ++j) Y(rows[i], j) = Yb(i, j);
  }
  return Y;
}

// Whether the outputs are probabilities (a softmax or sigmoid ends the network) or scores (logits).
Outputs outputs_kind(const Experiment& e) {
  const std::string& last = e.layers.back().activation;
  return last == "softmax" || last == "sigmoid" ? Outputs::probabilities : Outputs::logits;
}

// The outputs as K columns for the classification report: one output y becomes (1 − y, y) for a
// probability and (0, y) for a score (whose softmax is the logistic σ(y)).
Matrix class_columns(const Matrix& Y, Outputs kind) {
  if (Y.cols() != 1) return Y;
  Matrix P(Y.rows(), 2);
  for (std::size_t n = 0; n < Y.rows(); ++n) {
    P(n, 0) = kind == Outputs::probabilities ? 1 - Y(n, 0) : 0;
    P(n, 1) = Y(n, 0);
  }
  return P;
}

// The predicted classes: one output against the threshold, else the largest output.
std::vector<std::size_t> predictions(const Matrix& Y, const Experiment& e) {
  if (Y.cols() != 1) return predicted_classes(Y);
  std::vector<std::size_t> p(Y.rows());
  for (std::size_t n = 0; n < Y.rows(); ++n) p[n] = Y(n, 0) >= e.training.threshold ? 1 : 0;
  return p;
}

// The true classes from the targets: class indices, 0/1 (or ±1) for one output, one-hot rows.
std::vector<std::size_t> true_classes(const Matrix& T) {
  std::vector<std::size_t> t(T.rows());
  for (std::size_t n = 0; n < T.rows(); ++n) {
    if (T.cols() == 1) {
      t[n] = T(n, 0) >= 1 ? static_cast<std::size_t>(T(n, 0)) : 0;
    } else {
      std::size_t best = 0;
      for (std::size_t j = 1; j < T.cols(); ++j)
        if (T(n, j) > T(n, best)) best = j;
      t[n] = best;
    }
  }
  return t;
}

std::vector<std::string> class_names(const Experiment& e) {
  if (!e.data.class_names.empty()) return e.data.class_names;
  std::vector<std::string> names;
  for (std::size_t k = 0; k < std::max<std::size_t>(2, e.outputs()); ++k) names.push_back(std::to_string(k));
  return names;
}

// The probability of each class for one row of outputs (softmax of scores), for printing.
std::vector<double> probabilities(const Matrix& P, std::size_t n, Outputs kind) {
  std::vector<double> p(P.cols());
  if (kind == Outputs::probabilities) {
    for (std::size_t j = 0; j < P.cols(); ++j) p[j] = P(n, j);
    return p;
  }
  double top = P(n, 0), sum = 0;
  for (std::size_t j = 1; j < P.cols(); ++j) top = std::max(top, static_cast<double>(P(n, j)));
  for (std::size_t j = 0; j < P.cols(); ++j) sum += p[j] = std::exp(P(n, j) - top);
  for (double& x : p) x /= sum;
  return p;
}

// Reads "--name VALUE" or "--name=VALUE" at argv[k]; advances k past a separate value.
bool option_value(int argc, char** argv, int& k, std::initializer_list<const char*> names, std::string& value) {
  const std::string arg = argv[k];
  for (const char* name : names) {
    if (arg == name) {
      if (k + 1 >= argc) throw UsageError(fmt::format("{}: expected a value after it", name));
      value = argv[++k];
      return true;
    }
    if (arg.starts_with(std::string(name) + "=")) {
      value = arg.substr(std::strlen(name) + 1);
      return true;
    }
  }
  return false;
}

int report_error(const char* command, const std::exception& e, int code) {
  std::fflush(stdout);
  fmt::print(stderr, "glassbox {}: error: {}\n", command, e.what());
  return code;
}

}  // namespace

int evaluate_command(int argc, char** argv) {
  std::vector<std::string> files;
  std::size_t mistakes = 10;
  try {
    for (int k = 1; k < argc; ++k) {
      const std::string arg = argv[k];
      std::string value;
      if (arg == "--help" || arg == "-h") {
        fmt::print("{}", kEvaluateHelp);
        return 0;
      }
      if (option_value(argc, argv, k, {"--mistakes"}, value)) {
        std::size_t n = 0;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || ptr != value.data() + value.size() || value.empty() || n > 1000)
          throw UsageError(fmt::format("--mistakes: expected a whole number from 0 to 1000, got \"{}\"", value));
        mistakes = n;
      } else if (arg.starts_with("-")) {
        throw UsageError(fmt::format("unknown option \"{}\"; evaluate takes --mistakes and --help", arg));
      } else {
        files.push_back(arg);
      }
    }
    if (files.empty() || files.size() > 2)
      throw UsageError(fmt::format("evaluate takes a model and, if wanted, a data file; got {} file{}", files.size(),
                                   files.size() == 1 ? "" : "s"));
  } catch (const UsageError& e) {
    fmt::print(stderr, "glassbox evaluate: error: {}\n(glassbox evaluate --help says more)\n", e.what());
    return 2;
  }
  Model m;
  try {
    m = load_for_inference(files[0], files.size() == 2 ? files[1] : "");
    refuse_standardized(m, files[0]);
    if (!m.experiment.training.classification || m.experiment.training.multilabel)
      throw UsageError(fmt::format("{}: evaluate reports on classifiers of one class per sample (training.classification "
                                   "true, not multilabel)",
                                   files[0]));
  } catch (const SpecError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "glassbox evaluate: error: {}: {}\n", files.size() == 2 && std::string(e.what()).starts_with("data") ? files[1] : files[0], e.what());
    return 2;
  } catch (const UsageError& e) {
    return report_error("evaluate", e, 2);
  } catch (const InputError& e) {
    return report_error("evaluate", e, 2);
  }
  try {
    const Experiment& e = m.experiment;
    const Matrix Y = outputs_of(m.network, e.data.X);
    const Outputs kind = outputs_kind(e);
    const std::vector<std::string> names = class_names(e);
    const std::vector<std::size_t> truth = true_classes(e.data.targets), predicted = predictions(Y, e);
    const ClassificationReport report = classification_report(truth, predicted, names);
    fmt::print("model {} ({}), {} samples\n\n", e.name, files[0], e.data.X.rows());
    fmt::print("accuracy {:.4f} ({} of {})\n\n", report.accuracy,
               static_cast<std::size_t>(std::lround(report.accuracy * static_cast<double>(truth.size()))), truth.size());
    fmt::print("{}\n", classification_table(report, 4).render());
    fmt::print("confusion matrix (rows: true class, columns: predicted)\n{}\n",
               confusion_table(report.confusion, names).render());
    if (mistakes > 0) {
      const auto wrong = most_confident_mistakes(class_columns(Y, kind), truth, mistakes, kind);
      if (wrong.empty()) {
        fmt::print("no mistakes\n");
      } else {
        fmt::print("the most confident mistakes\n{}", mistakes_table(wrong, names).render());
      }
    }
    return 0;
  } catch (const std::exception& e) {
    return report_error("evaluate", e, 1);
  }
}

namespace {

// INPUT's samples as the model's inputs (N×in).
Matrix read_input(const std::string& path, const Experiment& e) {
  if (!path.ends_with(".csv")) {
    IdxImages images = read_idx_images(path);
    if (images.pixels.cols() != e.inputs)
      throw InputError(fmt::format("{}: images of {}×{} = {} pixels, but the model takes {} inputs (network.inputs)",
                                   path, images.rows, images.cols, images.pixels.cols(), e.inputs));
    return std::move(images.pixels);
  }
  const CsvTable table = read_csv(path);
  std::vector<std::string> header;
  for (const CsvField& f : table.header.fields) header.push_back(f.text);
  std::vector<std::size_t> columns;
  if (!e.data.input_columns.empty()) {
    for (const std::string& name : e.data.input_columns) {
      const auto it = std::find(header.begin(), header.end(), name);
      if (it == header.end())
        throw InputError(fmt::format("{}: no column \"{}\", one of the model's input columns (data.input_columns)",
                                     path, name));
      columns.push_back(static_cast<std::size_t>(it - header.begin()));
    }
  } else {
    for (std::size_t c = 0; c < header.size(); ++c) {
      const bool target = header[c] == e.data.label_column ||
                          std::find(e.data.target_columns.begin(), e.data.target_columns.end(), header[c]) !=
                              e.data.target_columns.end();
      if (!target) columns.push_back(c);
    }
    if (columns.size() != e.inputs)
      throw InputError(fmt::format("{}: {} columns (besides the model's targets), but the model takes {} inputs "
                                   "(network.inputs)",
                                   path, columns.size(), e.inputs));
  }
  Matrix X(table.records.size(), columns.size());
  for (std::size_t n = 0; n < table.records.size(); ++n)
    for (std::size_t j = 0; j < columns.size(); ++j) {
      const CsvField& field = table.records[n].fields[columns[j]];
      const CsvNumber x = csv_number(field.text);
      if (!x.problem.empty())
        throw InputError(fmt::format("{}: column \"{}\": {}", table.where(field), header[columns[j]], x.problem));
      X(n, j) = x.value;
    }
  if (X.rows() == 0) throw InputError(fmt::format("{}: no samples after the header", path));
  return X;
}

}  // namespace

int predict_command(int argc, char** argv) {
  std::vector<std::string> files;
  std::string output;
  try {
    for (int k = 1; k < argc; ++k) {
      const std::string arg = argv[k];
      if (arg == "--help" || arg == "-h") {
        fmt::print("{}", kPredictHelp);
        return 0;
      }
      if (option_value(argc, argv, k, {"-o", "--output"}, output)) continue;
      if (arg.starts_with("-")) throw UsageError(fmt::format("unknown option \"{}\"; predict takes -o and --help", arg));
      files.push_back(arg);
    }
    if (files.size() != 2)
      throw UsageError(fmt::format("predict takes a model and an input file; got {} file{}", files.size(),
                                   files.size() == 1 ? "" : "s"));
  } catch (const UsageError& e) {
    fmt::print(stderr, "glassbox predict: error: {}\n(glassbox predict --help says more)\n", e.what());
    return 2;
  }
  Model m;
  Matrix X;
  try {
    m = load_for_inference(files[0], "");
    refuse_standardized(m, files[0]);
    X = read_input(files[1], m.experiment);
    if (m.experiment.data.fixed_standardizer) X = m.experiment.data.fixed_standardizer->transform(X);
  } catch (const SpecError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "glassbox predict: error: {}: {}\n", files[0], e.what());
    return 2;
  } catch (const UsageError& e) {
    return report_error("predict", e, 2);
  } catch (const InputError& e) {
    return report_error("predict", e, 2);
  }
  try {
    const Experiment& e = m.experiment;
    const Matrix Y = outputs_of(m.network, X);
    std::string text;
    if (e.training.classification && !e.training.multilabel) {
      const Outputs kind = outputs_kind(e);
      const Matrix P = class_columns(Y, kind);
      const std::vector<std::string> names = class_names(e);
      const std::vector<std::size_t> predicted = predictions(Y, e);
      text += "index,class,name,probability\n";
      for (std::size_t n = 0; n < Y.rows(); ++n) {
        const double p = Y.cols() == 1 && kind == Outputs::probabilities ? (predicted[n] == 1 ? Y(n, 0) : 1 - Y(n, 0))
                                                                        : probabilities(P, n, kind)[predicted[n]];
        std::string name = names[predicted[n]];
        if (name.find_first_of(",\"\n") != std::string::npos) {
          std::string quoted = "\"";
          for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
          name = quoted + "\"";
        }
        text += fmt::format("{},{},{},{:.6g}\n", n, predicted[n], name, p);
      }
    } else {
      text += "index";
      for (std::size_t j = 0; j < Y.cols(); ++j) text += fmt::format(",y{}", j);
      text += "\n";
      for (std::size_t n = 0; n < Y.rows(); ++n) {
        text += std::to_string(n);
        for (std::size_t j = 0; j < Y.cols(); ++j) text += fmt::format(",{:.17g}", Y(n, j));
        text += "\n";
      }
    }
    if (output.empty()) {
      fmt::print("{}", text);
    } else {
      OutputFile file(output, "predict");
      if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size())
        throw OutputError(fmt::format("predict: writing {} failed", output));
      file.commit();
    }
    return 0;
  } catch (const std::exception& e) {
    return report_error("predict", e, 1);
  }
}

}  // namespace glassbox
