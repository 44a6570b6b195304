// glassbox/data/examples.cpp — the worked examples' networks and their names for weights and units.
#include "glassbox/data/examples.hpp"

namespace glassbox {

Network worked_example_network() {
  Network net;
  net.dense(Matrix{{0.15, 0.20}, {0.25, 0.30}}, Matrix{{0.35, 0.35}}).activation("sigmoid");
  net.dense(Matrix{{0.40, 0.45}, {0.50, 0.55}}, Matrix{{0.60, 0.60}}).activation("sigmoid");
  net.freeze("layers[0].b");
  net.freeze("layers[2].b");
  return net;
}

WorkedExample worked_example() {
  return {worked_example_network(), Matrix{{0.05, 0.10}}, Matrix{{0.01, 0.99}}, 0.5};
}

const std::vector<WorkedExampleWeight>& worked_example_weights() {
  static const std::vector<WorkedExampleWeight> weights{
      {"w1", "layers[0].W", 0, 0, "i1", "h1"}, {"w2", "layers[0].W", 0, 1, "i2", "h1"},
      {"w3", "layers[0].W", 1, 0, "i1", "h2"}, {"w4", "layers[0].W", 1, 1, "i2", "h2"},
      {"w5", "layers[2].W", 0, 0, "h1", "o1"}, {"w6", "layers[2].W", 0, 1, "h2", "o1"},
      {"w7", "layers[2].W", 1, 0, "h1", "o2"}, {"w8", "layers[2].W", 1, 1, "h2", "o2"},
  };
  return weights;
}

const std::vector<WorkedExampleUnit>& worked_example_units() {
  static const std::vector<WorkedExampleUnit> units{
      {"h1", 0, 1, 0}, {"h2", 0, 1, 1}, {"o1", 2, 3, 0}, {"o2", 2, 3, 1}};
  return units;
}

}  // namespace glassbox
