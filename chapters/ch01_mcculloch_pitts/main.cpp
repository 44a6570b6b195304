// Chapter 01 — McCulloch–Pitts neurons
//
// Teaches: the 1943 binary threshold neuron. Excitatory inputs are counted, the count is compared
// with a threshold θ, and any active inhibitory input vetoes firing. With only that, wiring and
// thresholds build identity, AND, OR, A AND NOT B and NOT (using an always-on input) — and XOR
// from two of them feeding an OR, since no single such neuron computes it.
// New in lib/: glassbox/classic/mcculloch_pitts.hpp (the neuron and networks), and the foundation:
// matrix.hpp, random.hpp, trace.hpp, cli.hpp, table.hpp.
// Run: ch01_mcculloch_pitts [--trace PATH] [--trace-level off|summary|step|full] [--quiet]
// Trace: traces/ch01_mcculloch_pitts.json — one "mcp_neuron" event per neuron evaluated, one
// "truth_table" event per network.
#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/classic/mcculloch_pitts.hpp"

using namespace glassbox;

namespace {

Json evaluation_event(const mcp::Network& net, const std::vector<int>& inputs, const mcp::Evaluation& e) {
  Json event;
  event["event"] = "mcp_neuron";
  event["network"] = net.name();
  event["network_inputs"] = inputs;
  event["neuron"] = e.neuron;
  event["excitatory"] = e.excitatory;
  event["inhibitory"] = e.inhibitory;
  event["sum"] = e.sum;
  event["threshold"] = e.threshold;
  event["inhibited"] = e.inhibited;
  event["output"] = e.output;
  return event;
}

void show_network(course::Context& ctx, const mcp::Network& net) {
  ctx.heading(fmt::format("{}   ({})", net.name(), net.describe()));

  std::vector<std::string> headers = net.inputs();
  // With more than one neuron, show each neuron's sum and output, so the composition is visible.
  const bool layered = net.neurons().size() > 1;
  for (const auto& n : net.neurons()) {
    if (!layered) {
      headers.push_back("s");
      headers.push_back("inhibited");
    }
    headers.push_back(n.name);
  }
  Table table(headers);
  Json rows = Json::array();
  for (const auto& inputs : mcp::all_inputs(net.inputs().size())) {
    std::vector<mcp::Evaluation> log;
    const int y = net.run(inputs, &log);
    std::vector<std::string> cells;
    for (int x : inputs) cells.push_back(fmt::format("{}", x));
    for (const auto& e : log) {
      if (!layered) {
        cells.push_back(fmt::format("{}", e.sum));
        cells.push_back(e.inhibited ? "yes" : "no");
      }
      cells.push_back(fmt::format("{}", e.output));
      if (ctx.tracer.wants(TraceLevel::full)) ctx.tracer.record(TraceLevel::full, evaluation_event(net, inputs, e));
    }
    table.add_row(cells);
    rows.push_back(Json{{"inputs", inputs}, {"output", y}});
  }
  ctx.print(table);
  ctx.tracer.record(TraceLevel::summary,
                    Json{{"event", "truth_table"}, {"network", net.name()}, {"description", net.describe()},
                         {"inputs", net.inputs()}, {"rows", rows}});
  ctx.result[net.name()] = rows;
}

}  // namespace

int main(int argc, char** argv) {
  CommandLine cli({.name = "ch01_mcculloch_pitts",
                   .chapter = 1,
                   .title = "McCulloch–Pitts neurons",
                   .purpose = "Binary threshold units (1943): excitatory inputs are counted against a threshold θ,\n"
                              "and one active inhibitory input vetoes firing. Wiring alone makes logic gates;\n"
                              "XOR needs a second layer.",
                   .default_trace_level = TraceLevel::full});
  return course::run_chapter(argc, argv, cli, [](course::Context& ctx) {
    for (const auto& net : {mcp::identity(), mcp::and_gate(), mcp::or_gate(), mcp::and_not(), mcp::not_gate(),
                            mcp::xor_gate()})
      show_network(ctx, net);
    ctx.print("\nNo single McCulloch–Pitts neuron computes XOR: firing for (1,0) and (0,1) but not (1,1) would\n"
              "need a sum that crosses θ and then falls back below it. Two layers do it: h1 = x1 AND NOT x2,\n"
              "h2 = x2 AND NOT x1, y = h1 OR h2.\n");
  });
}
