// bench/timing.hpp — how the benchmarks time one operation: the best of several timed runs.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <functional>

namespace glassbox::bench {

struct Timing {
  double run_seconds;   // aim for one timed run (a batch of repetitions)
  double cell_seconds;  // keep running until this much time has gone by, at least three runs
};

// Seconds per call of `op`: the best run's time divided by its repetitions. One call first (also
// the warm-up); an operation slower than the whole budget is timed twice and the better is kept.
inline double best_seconds(const std::function<void()>& op, const Timing& timing) {
  using Clock = std::chrono::steady_clock;
  auto seconds_of = [&](std::size_t reps) {
    const auto start = Clock::now();
    for (std::size_t r = 0; r < reps; ++r) op();
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  double best = seconds_of(1);
  if (best >= timing.cell_seconds) return std::min(best, seconds_of(1));
  const auto reps = static_cast<std::size_t>(std::max(1.0, std::ceil(timing.run_seconds / best)));
  double total = 0;
  for (int run = 0; run < 3 || total < timing.cell_seconds; ++run) {
    const double t = seconds_of(reps);
    total += t;
    best = std::min(best, t / static_cast<double>(reps));
  }
  return best;
}

}  // namespace glassbox::bench
