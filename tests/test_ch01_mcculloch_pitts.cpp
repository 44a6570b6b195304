// Chapter 01: the McCulloch–Pitts networks compute their truth tables.
#include <catch2/catch.hpp>

#include "glassbox/classic/mcculloch_pitts.hpp"

using namespace glassbox;

namespace {
std::vector<int> outputs(const mcp::Network& net) {
  std::vector<int> out;
  for (const auto& in : mcp::all_inputs(net.inputs().size())) out.push_back(net.run(in));
  return out;
}
}  // namespace

TEST_CASE("all_inputs counts in binary", "[ch01]") {
  CHECK(mcp::all_inputs(2) == std::vector<std::vector<int>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}});
  CHECK(mcp::all_inputs(1) == std::vector<std::vector<int>>{{0}, {1}});
}

TEST_CASE("the one-neuron gates compute their truth tables", "[ch01]") {
  CHECK(outputs(mcp::identity()) == std::vector<int>{0, 1});
  CHECK(outputs(mcp::not_gate()) == std::vector<int>{1, 0});
  CHECK(outputs(mcp::and_gate()) == std::vector<int>{0, 0, 0, 1});
  CHECK(outputs(mcp::or_gate()) == std::vector<int>{0, 1, 1, 1});
  CHECK(outputs(mcp::and_not()) == std::vector<int>{0, 0, 1, 0});
}

TEST_CASE("XOR is composed from two A-AND-NOT-B neurons and an OR", "[ch01]") {
  const auto net = mcp::xor_gate();
  CHECK(outputs(net) == std::vector<int>{0, 1, 1, 0});
  std::vector<mcp::Evaluation> log;
  CHECK(net.run({1, 0}, &log) == 1);
  REQUIRE(log.size() == 3);
  CHECK(log[0].neuron == "h1");
  CHECK(log[0].output == 1);
  CHECK(log[1].neuron == "h2");
  CHECK(log[1].inhibited);
  CHECK(log[2].sum == 1);
}

TEST_CASE("inhibition is absolute: it vetoes any excitatory sum", "[ch01]") {
  mcp::Network net("veto", {"a", "b", "c", "stop"});
  net.add({"y", {"a", "b", "c"}, {"stop"}, 1});
  std::vector<mcp::Evaluation> log;
  CHECK(net.run({1, 1, 1, 0}, &log) == 1);
  CHECK(net.run({1, 1, 1, 1}, &log) == 0);
  CHECK(log.back().sum == 3);
  CHECK(log.back().inhibited);
}

TEST_CASE("a threshold of 0 fires on no input at all, unless inhibited", "[ch01]") {
  mcp::Network net("always", {"x"});
  net.add({"y", {}, {"x"}, 0});
  CHECK(outputs(net) == std::vector<int>{1, 0});
}

TEST_CASE("bad wiring and bad inputs are refused with a message", "[ch01]") {
  mcp::Network net("n", {"a"});
  CHECK_THROWS_WITH(net.add({"y", {"nope"}, {}, 1}), Catch::Contains("unknown signal \"nope\""));
  CHECK_THROWS_WITH(net.add({"y", {"a"}, {}, -1}), Catch::Contains("threshold must be ≥ 0"));
  CHECK_THROWS_WITH(net.add({"a", {"a"}, {}, 1}), Catch::Contains("already a signal"));
  CHECK_THROWS_WITH(net.add({"y", {}, {}, 1}), Catch::Contains("no inputs"));
  CHECK_THROWS_WITH(net.run({1}), Catch::Contains("no neurons"));
  net.add({"y", {"a"}, {}, 1});
  CHECK_THROWS_WITH(net.run({1, 0}), Catch::Contains("2 inputs given, 1 expected"));
  CHECK_THROWS_WITH(net.run({2}), Catch::Contains("input a is 2"));
}
