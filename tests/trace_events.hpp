// Picks events out of a trace read back as JSON: every event of one kind, optionally of one run
// (the "run" label a chapter gives each network it trains).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace glassbox::testing {

inline std::vector<nlohmann::json> events(const nlohmann::json& trace, const std::string& kind,
                                          const std::string& run = "") {
  std::vector<nlohmann::json> out;
  for (const auto& e : trace["events"])
    if (e["event"] == kind && (run.empty() || e.value("run", "") == run)) out.push_back(e);
  return out;
}

}  // namespace glassbox::testing
