// glassbox/data/examples.hpp — networks from well-known worked examples, built from the library's own
// parts, so that a chapter, a test or an experiment replays the published numbers with the code
// everything else uses.
//
// The classic worked example of one backpropagation step (2 inputs, 2 hidden units, 2 outputs,
// sigmoid everywhere, one sample, E = Σ ½(t − o)², η = 0.5, biases held fixed):
//
//   i1 ──w1──▶ h1 ──w5──▶ o1          net_h1 = w1·i1 + w2·i2 + b1      out_h1 = σ(net_h1)
//      ╲w3   ╱w2  ╲w7   ╱w6           net_o1 = w5·out_h1 + w6·out_h2 + b2   out_o1 = σ(net_o1)
//   i2 ──w4──▶ h2 ──w8──▶ o2
//
// Its weights w1 … w8 are the elements of the library's W matrices, row j holding the weights into
// unit j: layers[0].W = [[w1, w2], [w3, w4]] and layers[2].W = [[w5, w6], [w7, w8]].
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "glassbox/nn/network.hpp"

namespace glassbox {

struct WorkedExample {
  Network network;     // Dense(2→2, sigmoid) → Dense(2→2, sigmoid); layers[0].b, layers[2].b frozen
  Matrix input;        // (1×2): i1 = 0.05, i2 = 0.10
  Matrix target;       // (1×2): t1 = 0.01, t2 = 0.99
  double learning_rate = 0.5;  // η
};

// w1 … w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55; b1 = 0.35 (both hidden units),
// b2 = 0.60 (both outputs).
WorkedExample worked_example();
Network worked_example_network();

// The example's name for a weight and where the library keeps it: "w5" is layers[2].W(0, 0), the
// weight from h1 into o1.
struct WorkedExampleWeight {
  std::string label;      // "w5"
  std::string parameter;  // "layers[2].W"
  std::size_t row;        // the unit it feeds (o1 → 0)
  std::size_t col;        // the input it carries (h1 → 0)
  std::string from, to;   // "h1", "o1"
};
// w1 … w8 in order.
const std::vector<WorkedExampleWeight>& worked_example_weights();

// The example's name for a unit and where the library keeps its values: h2 is column 1 of the
// outputs of layers[0] (net_h2) and layers[1] (out_h2).
struct WorkedExampleUnit {
  std::string label;       // "h2"
  std::size_t dense;       // the Dense layer whose output is net: 0 for h1, h2; 2 for o1, o2
  std::size_t activation;  // the sigmoid layer whose output is out: 1 or 3
  std::size_t column;      // 0 or 1
};
// h1, h2, o1, o2 in order.
const std::vector<WorkedExampleUnit>& worked_example_units();

}  // namespace glassbox
