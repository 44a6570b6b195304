// Chapter 02 — the threshold logic unit and the perceptron rule
//
// Teaches: a threshold logic unit (TLU) computes z = w·x̃ with the bias as the weight w₀ of a
// constant input x₀ = 1, and fires when z ≥ 0. Rosenblatt's rule w ← w + η(t − y)x̃ learns AND,
// OR and NAND, and separates iris setosa from the other species on petal length and width; the
// convergence theorem bounds its mistakes by (R/γ)². Hebb's rule w ← w + η·t·x̃, which ignores
// the unit's own output, fails where the perceptron succeeds. XOR is not linearly separable: the
// weights come back to an earlier state, and the program says so instead of looping.
// New in lib/: glassbox/classic/perceptron.hpp (TLU, perceptron and Hebb rules, cycle detection, mistake
// bound, largest margin), csv.hpp and dataset.hpp (iris), linalg.hpp (Cholesky, used by the
// largest-margin search).
// Run: ch02_perceptron [--data data/iris.csv] [--learning-rate 1] [--max-epochs 1000] [--seed N]
//      [--trace PATH] [--trace-level off|summary|step|full] [--quiet]
// Trace: traces/ch02_perceptron.json — a "tlu_step" event for every sample presented (full), a
// "tlu_epoch" per epoch and a "tlu_training" per run (summary), "mistake_bound" and "dataset".
#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/data/dataset.hpp"
#include "glassbox/classic/perceptron.hpp"

using namespace glassbox;

namespace {

// "(−3, 2, 1)"
std::string vec(const Matrix& w) {
  std::string out = "(";
  for (std::size_t j = 0; j < w.size(); ++j) out += fmt::format("{}{:.4g}", j ? ", " : "", w.data()[j] + 0.0);
  return out + ")";
}

std::string num(Scalar x) { return fmt::format("{:.4g}", x + 0.0); }  // + 0.0 prints −0 as 0

std::vector<Scalar> column(const Matrix& m) { return {m.begin(), m.end()}; }

struct Task {
  std::string name;
  Matrix Xb;                  // samples with x₀ = 1 in front
  std::vector<Scalar> t;      // targets
  std::vector<std::size_t> order;
};

Task gate(const std::string& name, std::vector<Scalar> t, Rng& rng) {
  return {name, with_bias_input(Matrix{{0, 0}, {0, 1}, {1, 0}, {1, 1}}), std::move(t), rng.permutation(4)};
}

Json training_event(const Task& task, const TluTrainingOptions& options, const TluTraining& run) {
  Json e;
  e["event"] = "tlu_training";
  e["task"] = task.name;
  e["rule"] = to_string(options.rule);
  e["step_function"] = to_string(options.step);
  e["learning_rate"] = to_json(options.learning_rate);
  e["order"] = options.order;
  e["outcome"] = to_string(run.outcome);
  e["epochs"] = run.epochs;
  e["mistakes"] = run.mistakes;
  e["mistakes_per_epoch"] = run.mistakes_per_epoch;
  e["errors"] = run.errors;
  e["w"] = to_json(run.w)[0];
  e["cycle"] = run.outcome == TrainingOutcome::cycle
                   ? Json{{"start_epoch", run.cycle_start}, {"length_epochs", run.cycle_length}}
                   : Json();
  return e;
}

// Trains one TLU, tracing every step and epoch; `steps` (if given) collects a printable row per
// sample presented.
TluTraining train(course::Context& ctx, const Task& task, TluTrainingOptions options, Table* steps = nullptr) {
  options.order = task.order;
  const bool trace_steps = ctx.tracer.wants(TraceLevel::step);  // each sample presented is one update step
  options.on_step = [&](const TluStep& s) {
    if (steps) {
      std::vector<std::string> row{fmt::format("{}", s.epoch)};
      for (std::size_t j = 1; j < s.x.cols(); ++j) row.push_back(num(s.x(0, j)));
      row.insert(row.end(), {num(s.z), num(s.y), num(s.t), num(s.error), vec(s.dw), vec(*s.w)});
      steps->add_row(row);
    }
    if (trace_steps)
      ctx.tracer.record(TraceLevel::step, Json{{"event", "tlu_step"}, {"task", task.name},
                                               {"rule", to_string(options.rule)}, {"epoch", s.epoch},
                                               {"position", s.position}, {"sample", s.sample},
                                               {"x", to_json(s.x)[0]}, {"z", to_json(s.z)}, {"y", to_json(s.y)},
                                               {"t", to_json(s.t)}, {"error", to_json(s.error)},
                                               {"dw", to_json(s.dw)[0]}, {"w", to_json(*s.w)[0]}});
  };
  options.on_epoch = [&](const TluEpoch& e) {
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "tlu_epoch"}, {"task", task.name},
                                                {"rule", to_string(options.rule)}, {"epoch", e.epoch},
                                                {"mistakes", e.mistakes}, {"w", to_json(*e.w)[0]}});
  };
  TluTraining run = train_tlu(task.Xb, task.t, Matrix(1, task.Xb.cols()), options);
  ctx.tracer.record(TraceLevel::summary, training_event(task, options, run));
  return run;
}

Table step_table(std::size_t inputs) {
  std::vector<std::string> headers{"epoch"};
  for (std::size_t j = 1; j <= inputs; ++j) headers.push_back(fmt::format("x{}", j));
  headers.insert(headers.end(), {"z", "y", "t", "t−y", "Δw", "w after"});
  return Table(headers);
}

// R, the margin of the learned weights, the largest margin, both bounds, and the mistakes made.
Json mistake_bound_report(course::Context& ctx, const Task& task, const TluTraining& run, Table& table) {
  std::vector<Scalar> s;
  for (Scalar t : task.t) s.push_back(2 * t - 1);  // 0/1 targets → classes −1/+1
  const Scalar R = data_radius(task.Xb);
  const Scalar gamma_w = margin(run.w, task.Xb, s);
  const MaxMargin best = max_margin_direction(task.Xb, s);
  // A bound exists only for a direction that separates (γ > 0); a run stopped early may not have one.
  const Json bound_w = gamma_w > 0 ? Json(mistake_bound(R, gamma_w)) : Json();
  const Json bound_best = best.gamma > 0 ? Json(mistake_bound(R, best.gamma)) : Json();
  auto shown = [](const Json& b) { return b.is_null() ? std::string("—") : num(b.get<Scalar>()); };
  table.add_row({task.name, num(R), num(gamma_w), shown(bound_w), num(best.gamma), shown(bound_best),
                 fmt::format("{}", run.mistakes),
                 bound_best.is_null() ? "—" : (static_cast<Scalar>(run.mistakes) <= bound_best.get<Scalar>() ? "yes" : "NO")});
  Json e{{"event", "mistake_bound"}, {"task", task.name}, {"R", R}, {"gamma_learned", gamma_w},
         {"bound_learned", bound_w}, {"gamma_max_margin", best.gamma}, {"bound_max_margin", bound_best},
         {"u_max_margin", to_json(best.u)[0]}, {"support_vectors", best.support}, {"mistakes", run.mistakes}};
  ctx.tracer.record(TraceLevel::summary, e);
  e.erase("event");
  e.erase("task");
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_path = "data/iris.csv";
  double learning_rate = 1;
  std::int64_t max_epochs = 1000;
  CommandLine cli({.name = "ch02_perceptron",
                   .chapter = 2,
                   .title = "The threshold logic unit and the perceptron rule",
                   .purpose = "A TLU fires when w·x̃ ≥ 0 (x̃ = (1, x), the bias is w₀). Rosenblatt's rule\n"
                              "w ← w + η(t − y)x̃ learns AND, OR, NAND and iris setosa; Hebb's rule w ← w + η·t·x̃\n"
                              "does not. XOR is not linearly separable: its weights cycle.",
                   .default_trace_level = TraceLevel::full});
  cli.option("data", data_path, {}, "the iris CSV file", "PATH");
  cli.option("learning-rate", learning_rate, 1e-6, 100, "η of the perceptron rule");
  cli.option("max-epochs", max_epochs, 1, 1000000, "stop a run that neither converges nor cycles after this many epochs");

  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    const Dataset iris = load_iris(data_path);  // first: a bad file stops the run before any output
    TluTrainingOptions perceptron;
    perceptron.learning_rate = learning_rate;
    perceptron.max_epochs = static_cast<std::size_t>(max_epochs);

    // ---- the TLU -------------------------------------------------------------------------------
    ctx.heading("The threshold logic unit: z = w·x̃, y = step(z)");
    {
      const Matrix w{{-1.5, 1, 1}};  // AND by hand: fires only when x₁ + x₂ ≥ 1.5
      Table table({"x1", "x2", "z = w·x̃", "heaviside(z)", "sign(z)"});
      const Matrix Xb = with_bias_input(Matrix{{0, 0}, {0, 1}, {1, 0}, {1, 1}});
      for (std::size_t i = 0; i < 4; ++i) {
        const Scalar z = net_input(w, Xb, i);
        table.add_row({num(Xb(i, 1)), num(Xb(i, 2)), num(z), num(heaviside(z)), num(sign_step(z))});
      }
      ctx.print("w = (w₀, w₁, w₂) = {}: the bias w₀ = −1.5 is the weight of the constant input x₀ = 1.\n", vec(w));
      ctx.print(table);
      ctx.print("heaviside(z) = 1 if z ≥ 0 else 0 (targets 0/1); sign(z) = −1, 0, +1 (targets ±1).\n");
    }

    // ---- the perceptron rule on gates ----------------------------------------------------------
    ctx.heading("Rosenblatt's rule w ← w + η(t − y)x̃ learns AND, OR and NAND");
    Rng& rng = ctx.rng;
    std::vector<Task> gates{gate("AND", {0, 0, 0, 1}, rng), gate("OR", {0, 1, 1, 1}, rng),
                            gate("NAND", {1, 1, 1, 0}, rng)};
    Table and_steps = step_table(2);
    Table summary({"gate", "order", "epochs", "mistakes", "w = (w₀, w₁, w₂)", "training errors"});
    std::vector<TluTraining> gate_runs;
    Json gates_result = Json::object();
    for (const Task& task : gates) {
      const TluTraining run = train(ctx, task, perceptron, task.name == "AND" ? &and_steps : nullptr);
      std::string order;
      for (std::size_t i : task.order) order += fmt::format("{}{}{}", order.empty() ? "" : " ", task.Xb(i, 1), task.Xb(i, 2));
      summary.add_row({task.name, order, fmt::format("{}", run.epochs), fmt::format("{}", run.mistakes), vec(run.w),
                       fmt::format("{}", run.errors)});
      gates_result[task.name] = Json{{"outcome", to_string(run.outcome)}, {"epochs", run.epochs},
                                     {"mistakes", run.mistakes}, {"errors", run.errors}, {"w", to_json(run.w)[0]},
                                     {"order", task.order}};
      gate_runs.push_back(run);
    }
    ctx.print("AND, every sample presented (w starts at 0; the order is drawn once from the seed):\n");
    ctx.print(and_steps);
    ctx.print("\n");
    ctx.print(summary);
    ctx.print("An epoch is one pass over the four inputs; the last epoch is the one without a mistake.\n");
    ctx.result["gates"] = gates_result;

    // ---- Hebb's rule ---------------------------------------------------------------------------
    ctx.heading("Hebb's rule w ← w + η·t·x̃ beside it");
    {
      TluTrainingOptions hebb;
      hebb.rule = LearningRule::hebb;
      hebb.learning_rate = learning_rate;
      hebb.max_epochs = 10;
      const Matrix bipolar2 = with_bias_input(Matrix{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}});
      Matrix inputs4(16, 4);
      std::vector<Scalar> and4(16);
      for (std::size_t i = 0; i < 16; ++i) {
        for (std::size_t j = 0; j < 4; ++j) inputs4(i, j) = (i >> (3 - j)) & 1 ? 1 : -1;
        and4[i] = i == 15 ? 1 : -1;
      }
      const std::vector<std::pair<Task, StepFunction>> tasks{
          {{"AND, 0/1 coding", gates[0].Xb, {0, 0, 0, 1}, {}}, StepFunction::heaviside},
          {{"AND, ±1 coding", bipolar2, {-1, -1, -1, 1}, {}}, StepFunction::sign},
          {{"AND of 4 inputs, ±1 coding", with_bias_input(inputs4), and4, {}}, StepFunction::sign}};
      Table table({"task", "rule", "epochs", "w", "training errors"});
      Json hebb_result = Json::object();
      for (const auto& [task, step_fn] : tasks) {
        for (LearningRule rule : {LearningRule::hebb, LearningRule::perceptron}) {
          TluTrainingOptions options = rule == LearningRule::hebb ? hebb : perceptron;
          options.step = step_fn;
          const TluTraining run = train(ctx, task, options);
          table.add_row({task.name, std::string(to_string(rule)), fmt::format("{}", run.epochs), vec(run.w),
                         fmt::format("{} of {}", run.errors, task.t.size())});
          hebb_result[task.name][std::string(to_string(rule))] =
              Json{{"epochs", run.epochs}, {"errors", run.errors}, {"w", to_json(run.w)[0]}};
        }
      }
      ctx.print(table);
      ctx.print("Every task here runs in the natural order of its inputs — (0,0), (0,1), (1,0), (1,1) for two —\n"
                "not in the order drawn for the gates above, so AND's perceptron run need not match that table.\n");
      ctx.print("Hebb's rule strengthens a weight whenever input and target are active together, whether the\n"
                "unit was right or wrong: it never looks at y. With 0/1 coding only (1,1) has t ≠ 0, so\n"
                "w = k·(1,1,1) after k epochs and the unit fires for every input — more epochs only scale w.\n"
                "With ±1 coding w ∝ Σ t·x̃ = (−2, 2, 2) happens to solve AND, but for AND of 4 inputs the 15\n"
                "negative samples outvote the one positive: w ∝ (−14, 2, 2, 2, 2), z < 0 at (1,1,1,1). The\n"
                "perceptron rule learns from its errors (t − y) and solves all three.\n");
      ctx.result["hebb"] = hebb_result;
    }

    // ---- iris setosa ---------------------------------------------------------------------------
    ctx.heading("Iris setosa vs the rest, on petal length and width");
    const Dataset petals = select_features(iris, {2, 3});
    ctx.tracer.record(TraceLevel::summary, dataset_event(iris, data_path, petals.feature_names));
    Task setosa{"iris setosa vs rest", with_bias_input(petals.X), column(one_vs_rest(petals.labels, 0)),
                rng.permutation(petals.size())};
    const TluTraining setosa_run = train(ctx, setosa, perceptron);
    {
      const Matrix& w = setosa_run.w;
      ctx.print("{} flowers from {} (50 setosa), features x₁ = petal length, x₂ = petal width (cm),\n"
                "presented in an order drawn from the seed, raw (not standardised), from w = 0:\n",
                iris.size(), data_path);
      ctx.print("  {} after {} epochs and {} mistakes; training errors: {}\n", to_string(setosa_run.outcome),
                setosa_run.epochs, setosa_run.mistakes, setosa_run.errors);
      ctx.print("  w = (w₀, w₁, w₂) = {}\n", vec(w));
      ctx.print("  the separating line w₀ + w₁·length + w₂·width = 0:  width = {} {} {}·length\n",
                num(-w(0, 0) / w(0, 2)), -w(0, 1) / w(0, 2) < 0 ? "−" : "+", num(std::abs(w(0, 1) / w(0, 2))));
      const Matrix flower = with_bias_input(Matrix{{2, 0.5}});
      const Scalar z = net_input(w, flower, 0);
      ctx.print("  a flower with petals 2 cm long and 0.5 cm wide: z = {}, so {}\n", num(z),
                heaviside(z) == 1 ? "setosa" : "not setosa");
      ctx.result["setosa"] = Json{{"outcome", to_string(setosa_run.outcome)}, {"epochs", setosa_run.epochs},
                                  {"mistakes", setosa_run.mistakes}, {"errors", setosa_run.errors},
                                  {"w", to_json(w)[0]},
                                  {"line", Json{{"intercept", -w(0, 0) / w(0, 2)}, {"slope", -w(0, 1) / w(0, 2)}}}};
    }

    // ---- the convergence theorem ---------------------------------------------------------------
    ctx.heading("The convergence theorem: at most (R/γ)² mistakes");
    {
      Table table({"task", "R", "γ of learned w", "bound", "largest γ", "bound (R/γ)²", "mistakes", "within"});
      Json bounds = Json::object();
      for (std::size_t g = 0; g < gates.size(); ++g)
        bounds[gates[g].name] = mistake_bound_report(ctx, gates[g], gate_runs[g], table);
      bounds[setosa.name] = mistake_bound_report(ctx, setosa, setosa_run, table);
      ctx.print(table);
      ctx.print("R = max ‖x̃ᵢ‖ (x̃ includes x₀ = 1); γ = min sᵢ·(u·x̃ᵢ)/‖u‖ with sᵢ = ±1, for a direction u that\n"
                "separates. Any separating u gives a valid bound; the largest margin (found exactly by\n"
                "Wolfe's nearest-point algorithm) gives the tightest. The theorem holds for any order and η.\n"
                "A learned w with γ = 0 has a sample exactly on its line (z = 0 fires, since heaviside(0) = 1):\n"
                "it classifies every sample right, yet as a direction it separates with no margin to spare.\n");
      ctx.result["mistake_bounds"] = bounds;
    }

    // ---- XOR -----------------------------------------------------------------------------------
    ctx.heading("XOR: no line separates it, and the weights cycle");
    {
      const Task xor_task = gate("XOR", {0, 1, 1, 0}, rng);
      Table steps = step_table(2);
      const TluTraining run = train(ctx, xor_task, perceptron, &steps);
      ctx.print(steps);
      if (run.outcome == TrainingOutcome::cycle)
        ctx.print("Cycle: the weights {} at the start of epoch {} are those at the start of epoch {}. The order is\n"
                  "fixed, so every epoch from here repeats the last {} forever: the perceptron will never\n"
                  "converge. Stopped after {} epochs instead of running to the limit of {}.\n",
                  vec(run.w), run.epochs + 1, run.cycle_start, run.cycle_length == 1 ? std::string("one")
                                                                                      : fmt::format("{}", run.cycle_length),
                  run.epochs, max_epochs);
      else
        ctx.print("XOR: {} after {} epochs.\n", to_string(run.outcome), run.epochs);
      std::vector<Scalar> s{-1, 1, 1, -1};
      const MaxMargin mm = max_margin_direction(xor_task.Xb, s);
      ctx.print("The nearest-point search agrees: the origin lies in the convex hull of the sᵢ·x̃ᵢ, so no direction\n"
                "separates XOR (largest margin {}).\n",
                num(mm.gamma));
      ctx.result["xor"] = Json{{"outcome", to_string(run.outcome)}, {"epochs", run.epochs},
                               {"cycle_start", run.cycle_start}, {"cycle_length", run.cycle_length},
                               {"w", to_json(run.w)[0]}, {"separable", mm.converged}};
    }
  });
}
