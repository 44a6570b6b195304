// glassbox/classic/mcculloch_pitts.hpp — the binary threshold neuron of McCulloch and Pitts (1943).
//
// Every signal is 0 or 1. A neuron has excitatory inputs, inhibitory inputs and a threshold θ:
//
//   s = Σ excitatory inputs                 (each excitatory synapse counts 1)
//   y = 1  if s ≥ θ and no inhibitory input is 1,  else 0
//
// Inhibition is absolute, as in the 1943 paper: one active inhibitory input vetoes firing whatever
// the excitatory sum. There are no learned weights; a neuron's function is fixed by its wiring and
// its threshold. A network is a list of neurons evaluated in order; each reads the network's inputs,
// the always-on input "1", and the outputs of the neurons before it, by name.
#pragma once

#include <string>
#include <vector>

namespace glassbox::mcp {

struct Neuron {
  std::string name;
  std::vector<std::string> excitatory;  // names of the signals it adds up
  std::vector<std::string> inhibitory;  // names of the signals that veto it
  int threshold = 1;                    // θ ≥ 0
};

// What one neuron saw and did, for the trace and the lesson's tables.
struct Evaluation {
  std::string neuron;
  std::vector<int> excitatory;  // the values of its excitatory inputs, in order
  std::vector<int> inhibitory;  // the values of its inhibitory inputs, in order
  int sum = 0;                  // s = Σ excitatory
  int threshold = 0;
  bool inhibited = false;       // some inhibitory input was 1
  int output = 0;
};

class Network {
public:
  // `inputs` names the network's inputs; "1" is always there as the constant input.
  Network(std::string name, std::vector<std::string> inputs);

  // Adds a neuron; its output becomes a signal under its name. The last neuron added is the
  // network's output. Throws std::invalid_argument for an unknown signal, a duplicate name, a
  // negative threshold or a neuron with no inputs.
  Network& add(Neuron neuron);

  // Evaluates every neuron in order for inputs of 0s and 1s (one per input name) and returns the
  // output. Each neuron's evaluation is appended to `log` if given. Throws std::invalid_argument
  // for the wrong number of inputs or a value other than 0 or 1.
  int run(const std::vector<int>& inputs, std::vector<Evaluation>* log = nullptr) const;

  const std::string& name() const noexcept { return name_; }
  const std::vector<std::string>& inputs() const noexcept { return inputs_; }
  const std::vector<Neuron>& neurons() const noexcept { return neurons_; }
  // "A AND NOT B: y = [A ≥ 1] unless B"
  std::string describe() const;

private:
  std::size_t signal_index(const std::string& signal) const;

  std::string name_;
  std::vector<std::string> inputs_;
  std::vector<std::string> signals_;  // "1", the inputs, then each neuron's output
  std::vector<Neuron> neurons_;
};

// The course's networks, one neuron each except XOR.
Network identity();         // y = x
Network and_gate();         // y = x1 ∧ x2:  θ = 2
Network or_gate();          // y = x1 ∨ x2:  θ = 1
Network and_not();          // y = a ∧ ¬b:   a excitatory, b inhibitory, θ = 1
Network not_gate();         // y = ¬x:       the always-on input excitatory, x inhibitory, θ = 1
// y = x1 ⊕ x2 = (x1 ∧ ¬x2) ∨ (x2 ∧ ¬x1): two A-AND-NOT-B neurons feeding an OR neuron.
Network xor_gate();

// All 2ⁿ input combinations in counting order: {0,0}, {0,1}, {1,0}, {1,1} for n = 2.
std::vector<std::vector<int>> all_inputs(std::size_t n);

}  // namespace glassbox::mcp
