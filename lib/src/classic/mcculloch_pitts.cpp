// glassbox/classic/mcculloch_pitts.cpp
#include "glassbox/classic/mcculloch_pitts.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace glassbox::mcp {

Network::Network(std::string name, std::vector<std::string> inputs)
    : name_(std::move(name)), inputs_(std::move(inputs)) {
  signals_.push_back("1");
  for (const auto& input : inputs_) {
    if (std::find(signals_.begin(), signals_.end(), input) != signals_.end())
      throw std::invalid_argument(fmt::format("McCulloch–Pitts network {}: input \"{}\" is named twice", name_, input));
    signals_.push_back(input);
  }
}

std::size_t Network::signal_index(const std::string& signal) const {
  auto it = std::find(signals_.begin(), signals_.end(), signal);
  if (it == signals_.end())
    throw std::invalid_argument(fmt::format("McCulloch–Pitts network {}: unknown signal \"{}\"; known: {}", name_,
                                            signal, fmt::join(signals_, ", ")));
  return static_cast<std::size_t>(it - signals_.begin());
}

Network& Network::add(Neuron neuron) {
  const auto where = fmt::format("McCulloch–Pitts network {}, neuron {}", name_, neuron.name);
  if (std::find(signals_.begin(), signals_.end(), neuron.name) != signals_.end())
    throw std::invalid_argument(where + ": the name is already a signal");
  if (neuron.threshold < 0) throw std::invalid_argument(where + ": the threshold must be ≥ 0");
  if (neuron.excitatory.empty() && neuron.inhibitory.empty()) throw std::invalid_argument(where + ": no inputs");
  for (const auto& s : neuron.excitatory) signal_index(s);
  for (const auto& s : neuron.inhibitory) signal_index(s);
  signals_.push_back(neuron.name);
  neurons_.push_back(std::move(neuron));
  return *this;
}

int Network::run(const std::vector<int>& inputs, std::vector<Evaluation>* log) const {
  if (neurons_.empty()) throw std::invalid_argument(fmt::format("McCulloch–Pitts network {}: no neurons", name_));
  if (inputs.size() != inputs_.size())
    throw std::invalid_argument(fmt::format("McCulloch–Pitts network {}: {} inputs given, {} expected", name_,
                                            inputs.size(), inputs_.size()));
  std::vector<int> value(signals_.size(), 0);
  value[0] = 1;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] != 0 && inputs[i] != 1)
      throw std::invalid_argument(fmt::format("McCulloch–Pitts network {}: input {} is {}; signals are 0 or 1",
                                              name_, inputs_[i], inputs[i]));
    value[i + 1] = inputs[i];
  }
  for (std::size_t n = 0; n < neurons_.size(); ++n) {
    const Neuron& neuron = neurons_[n];
    Evaluation e{neuron.name, {}, {}, 0, neuron.threshold, false, 0};
    for (const auto& s : neuron.excitatory) e.excitatory.push_back(value[signal_index(s)]);
    for (const auto& s : neuron.inhibitory) e.inhibitory.push_back(value[signal_index(s)]);
    for (int x : e.excitatory) e.sum += x;
    e.inhibited = std::find(e.inhibitory.begin(), e.inhibitory.end(), 1) != e.inhibitory.end();
    e.output = !e.inhibited && e.sum >= e.threshold ? 1 : 0;
    value[1 + inputs_.size() + n] = e.output;
    if (log) log->push_back(std::move(e));
  }
  return value.back();
}

std::string Network::describe() const {
  std::string out;
  for (const auto& n : neurons_) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{} = [{} ≥ {}]", n.name, n.excitatory.empty() ? "0" : fmt::format("{}", fmt::join(n.excitatory, " + ")),
                       n.threshold);
    if (!n.inhibitory.empty()) out += fmt::format(" unless {}", fmt::join(n.inhibitory, " or "));
  }
  return out;
}

Network identity() { return Network("identity", {"x"}).add({"y", {"x"}, {}, 1}); }
Network and_gate() { return Network("AND", {"x1", "x2"}).add({"y", {"x1", "x2"}, {}, 2}); }
Network or_gate() { return Network("OR", {"x1", "x2"}).add({"y", {"x1", "x2"}, {}, 1}); }
Network and_not() { return Network("A AND NOT B", {"a", "b"}).add({"y", {"a"}, {"b"}, 1}); }
Network not_gate() { return Network("NOT", {"x"}).add({"y", {"1"}, {"x"}, 1}); }

Network xor_gate() {
  Network net("XOR", {"x1", "x2"});
  net.add({"h1", {"x1"}, {"x2"}, 1});  // x1 AND NOT x2
  net.add({"h2", {"x2"}, {"x1"}, 1});  // x2 AND NOT x1
  net.add({"y", {"h1", "h2"}, {}, 1}); // h1 OR h2
  return net;
}

std::vector<std::vector<int>> all_inputs(std::size_t n) {
  std::vector<std::vector<int>> rows;
  for (std::size_t code = 0; code < (std::size_t{1} << n); ++code) {
    std::vector<int> row(n);
    for (std::size_t i = 0; i < n; ++i) row[i] = static_cast<int>((code >> (n - 1 - i)) & 1u);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace glassbox::mcp
