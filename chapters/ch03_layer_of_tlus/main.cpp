// Chapter 03 — a layer of TLUs
//
// Teaches: several threshold units side by side, one per output, computed at once in matrix form
// H = step(X·Wᵀ + b) — W (out×in) holds one unit per row; the course notes' H = step(X·W + b)
// uses W (in×out), our Wᵀ. Trained with the perceptron rule on iris's three classes one against
// the rest, each unit learns on its own: setosa separates and converges, versicolor never does and
// keeps its best weights in a pocket. The layer then classifies by the largest net input; accuracy
// and a confusion matrix say how well.
// New in lib/: glassbox/classic/tlu_layer.hpp (the layer, its training, the pocket algorithm),
// metrics.hpp (accuracy, confusion matrix); dataset.hpp's stratified split and Standardizer.
// Run: ch03_layer_of_tlus [--data data/iris.csv] [--test-fraction 0.3] [--max-epochs 100]
//      [--learning-rate 1] [--seed N] [--trace PATH] [--trace-level off|summary|step|full] [--quiet]
// Trace: traces/ch03_layer_of_tlus.json — "tlu_layer_step" for every sample presented (full) or
// every update (step, the default), "tlu_layer_epoch" per epoch, "tlu_unit" per unit,
// "confusion_matrix" per split, "dataset" and "data_split".
#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/data/dataset.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/train/metrics.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/classic/tlu_layer.hpp"

using namespace glassbox;

namespace {

std::string num(Scalar x) { return fmt::format("{:.4g}", x + 0.0); }

std::string row_text(const Matrix& m, std::size_t r) {
  std::string out = "(";
  for (std::size_t c = 0; c < m.cols(); ++c) out += fmt::format("{}{:.3f}", c ? ", " : "", m(r, c) + 0.0);
  return out + ")";
}

template <typename T>
std::string list(const std::vector<T>& v) {
  std::string out;
  for (const auto& x : v) out += fmt::format("{}{}", out.empty() ? "" : " ", x);
  return out;
}

void print_confusion(course::Context& ctx, const std::string& title, const Dataset& data, const ConfusionMatrix& m) {
  ctx.print("{}: accuracy {}/{} = {:.3f}\n", title, m.correct(), m.total(), m.accuracy());
  ctx.print(confusion_table(m, data.class_names));
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_path = "data/iris.csv";
  double test_fraction = 0.3;
  double learning_rate = 1;
  std::int64_t max_epochs = 100;
  CommandLine cli({.name = "ch03_layer_of_tlus",
                   .chapter = 3,
                   .title = "A layer of TLUs",
                   .purpose = "Three threshold units side by side, H = step(X·Wᵀ + b), one per iris species, each\n"
                              "trained with the perceptron rule against the other two. Setosa separates; versicolor\n"
                              "never converges, so the pocket keeps its best weights.",
                   .default_trace_level = TraceLevel::step});
  cli.option("data", data_path, {}, "the iris CSV file", "PATH");
  cli.option("test-fraction", test_fraction, 0.05, 0.95, "share of each species held out for testing");
  cli.option("learning-rate", learning_rate, 1e-6, 100, "η of the perceptron rule");
  cli.option("max-epochs", max_epochs, 1, 100000, "epochs before a unit that neither converges nor cycles stops");

  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    const Dataset iris = load_iris(data_path);

    // ---- data ----------------------------------------------------------------------------------
    ctx.heading("Iris: 4 measurements, 3 species, a stratified split, standardised");
    const Split split = stratified_split(iris, test_fraction, ctx.rng);
    Dataset train = subset(iris, split.train), test = subset(iris, split.test);
    Standardizer standardizer;
    standardizer.fit(train.X);  // μ and σ from the training flowers only
    train.X = standardizer.transform(train.X);
    test.X = standardizer.transform(test.X);
    ctx.print("{} flowers from {}: {} for training, {} for testing ({} of each species held out).\n", iris.size(),
              data_path, train.size(), test.size(), list(test.class_counts()));
    ctx.print("Each feature is standardised, x' = (x − μ)/σ, with μ and σ of the training part:\n");
    {
      Table table({"feature", "μ (cm)", "σ (cm)"});
      for (std::size_t c = 0; c < iris.features(); ++c)
        table.add_row({iris.feature_names[c], num(standardizer.mean()(0, c)), num(standardizer.scale()(0, c))});
      ctx.print(table);
      if (!standardizer.constant_columns().empty())
        ctx.print("(constant columns {} are centred but not scaled)\n", list(standardizer.constant_columns()));
    }
    ctx.tracer.record(TraceLevel::summary, dataset_event(iris, data_path, iris.feature_names));
    ctx.tracer.record(TraceLevel::summary, data_split_event(train, test, test_fraction, standardizer));

    // ---- the layer -----------------------------------------------------------------------------
    ctx.heading("The layer: H = step(X·Wᵀ + b), one unit per species");
    const std::size_t classes = iris.classes();
    const Matrix T = one_hot(train.labels, classes);  // column j: 1 for species j, 0 for the rest
    ctx.print("X (N×4) holds one flower per row; W (3×4) one unit per row, b (1×3) their biases, so\n"
              "Z = X·Wᵀ + b is (N×3): every flower's net input at every unit at once. For one flower as a\n"
              "column x (4×1), z = W·x + b. (The course notes write X·W + b with W of shape (4×3): our Wᵀ.)\n"
              "Targets T (N×3): unit j should fire for species j only — three one-vs-rest problems.\n"
              "Update for one flower x: e = t − y (1×3), ΔW = η·eᵀ·x (3×4), Δb = η·e.\n");

    TluLayerOptions options;
    options.learning_rate = learning_rate;
    options.max_epochs = static_cast<std::size_t>(max_epochs);
    const bool trace_all = ctx.tracer.wants(TraceLevel::full);
    const bool trace_updates = ctx.tracer.wants(TraceLevel::step);
    options.on_step = [&](const TluLayerStep& s) {
      if (!(trace_all || (trace_updates && s.updated))) return;
      Json e{{"event", "tlu_layer_step"}, {"epoch", s.epoch}, {"position", s.position},
             {"sample", train.ids[s.sample]}, {"x", to_json(s.x)[0]}, {"z", to_json(s.z)[0]},
             {"y", to_json(s.y)[0]}, {"t", to_json(s.t)[0]}, {"error", to_json(s.error)[0]},
             {"updated", s.updated}, {"dW", to_json(s.dW)}, {"db", to_json(s.db)[0]}};
      if (trace_all) {  // the weights after every step only at full; every epoch event has them too
        e["W"] = to_json(s.layer->W);
        e["b"] = to_json(s.layer->b)[0];
      }
      ctx.tracer.record(TraceLevel::step, e);
    };
    Table epochs({"epoch", "mistakes", "training errors", "pocket errors", "still learning"});
    options.on_epoch = [&](const TluLayerEpoch& e) {
      ctx.tracer.record(TraceLevel::summary,
                        Json{{"event", "tlu_layer_epoch"}, {"epoch", e.epoch}, {"mistakes", e.mistakes},
                             {"errors", e.errors}, {"pocket_errors", e.pocket_errors}, {"active", e.active},
                             {"W", to_json(e.layer->W)}, {"b", to_json(e.layer->b)[0]}});
      const bool last = std::none_of(e.active.begin(), e.active.end(), [](bool a) { return a; });
      if (e.epoch <= 5 || e.epoch % 20 == 0 || last) {
        std::vector<std::string> learning;
        for (std::size_t j = 0; j < e.active.size(); ++j)
          if (e.active[j]) learning.push_back(iris.class_names[j]);
        epochs.add_row({fmt::format("{}", e.epoch), list(e.mistakes), list(e.errors), list(e.pocket_errors),
                        learning.empty() ? "—" : list(learning)});
      }
    };
    const TluLayerTraining run = train_tlu_layer(zero_tlu_layer(iris.features(), classes), train.X, T, options);
    ctx.print("\nPer epoch, one number per unit (setosa versicolor virginica); a few epochs shown:\n");
    ctx.print(epochs);

    ctx.heading("Per-unit outcome");
    {
      Table table({"unit", "outcome", "epochs", "updates", "errors at the end", "pocket errors", "pocket from update"});
      const auto last_errors = unit_errors(run.last, train.X, T);
      Json units = Json::array();
      for (std::size_t j = 0; j < classes; ++j) {
        const TluUnitReport& u = run.units[j];
        std::string outcome = std::string(to_string(u.outcome));
        if (u.outcome == TrainingOutcome::cycle)
          outcome += fmt::format(" (epoch {} recurs after {})", u.cycle_start, u.cycle_length);
        table.add_row({iris.class_names[j], outcome, fmt::format("{}", u.epochs), fmt::format("{}", u.mistakes),
                       fmt::format("{} of {}", last_errors[j], train.size()),
                       fmt::format("{} of {}", u.pocket_errors, train.size()), fmt::format("{}", u.pocket_update)});
        Json e{{"event", "tlu_unit"},
               {"unit", j},
               {"class", iris.class_names[j]},
               {"outcome", to_string(u.outcome)},
               {"epochs", u.epochs},
               {"mistakes", u.mistakes},
               {"cycle", u.outcome == TrainingOutcome::cycle
                             ? Json{{"start_epoch", u.cycle_start}, {"length_epochs", u.cycle_length}}
                             : Json()},
               {"errors_last", last_errors[j]},
               {"pocket_errors", u.pocket_errors},
               {"pocket_update", u.pocket_update},
               {"w_pocket", to_json(run.pocket.W.row(j))[0]},
               {"b_pocket", to_json(run.pocket.b(0, j))}};
        ctx.tracer.record(TraceLevel::summary, e);
        e.erase("event");
        units.push_back(e);
      }
      ctx.print(table);
      ctx.print("A unit converges when an epoch passes without a mistake. Setosa's flowers lie apart from\n"
                "the rest; versicolor's lie between the other two species, so no hyperplane puts them alone on\n"
                "one side: its unit keeps making mistakes, and the pocket keeps the weights that made the\n"
                "fewest errors on the whole training set.\n");
      ctx.print("\nPocket weights, W row by row (standardised features) and b:\n");
      for (std::size_t j = 0; j < classes; ++j)
        ctx.print("  {:<10} w = {}  b = {:.3f}\n", iris.class_names[j], row_text(run.pocket.W, j),
                  run.pocket.b(0, j) + 0.0);
      ctx.result["units"] = units;
      ctx.result["epochs"] = run.epochs;
    }

    // ---- classification ------------------------------------------------------------------------
    ctx.heading("Classifying: the unit with the largest net input wins");
    {
      const Matrix H = run.pocket.forward(test.X);
      std::size_t none = 0, one = 0, several = 0;
      for (std::size_t i = 0; i < H.rows(); ++i) {
        std::size_t firing = 0;
        for (std::size_t j = 0; j < H.cols(); ++j) firing += H(i, j) == 1;
        (firing == 0 ? none : firing == 1 ? one : several) += 1;
      }
      ctx.print("On the test flowers exactly one unit fires for {}, none for {}, several for {}: the 0/1 outputs\n"
                "alone do not always name one species, so each flower goes to the unit with the largest z.\n\n",
                one, none, several);
      const ConfusionMatrix on_train = confusion_matrix(train.labels, predict_one_vs_rest(run.pocket, train.X), classes);
      const ConfusionMatrix on_test = confusion_matrix(test.labels, predict_one_vs_rest(run.pocket, test.X), classes);
      ctx.tracer.record(TraceLevel::summary, confusion_event(on_train, "tlu_layer", "train", iris.class_names));
      ctx.tracer.record(TraceLevel::summary, confusion_event(on_test, "tlu_layer", "test", iris.class_names));
      print_confusion(ctx, "training set", train, on_train);
      ctx.print("\n");
      print_confusion(ctx, "test set", test, on_test);
      ctx.result["train_accuracy"] = on_train.accuracy();
      ctx.result["test_accuracy"] = on_test.accuracy();
      ctx.result["test_confusion"] = on_test.counts;
      ctx.result["firing"] = Json{{"one", one}, {"none", none}, {"several", several}};
    }
  });
}
