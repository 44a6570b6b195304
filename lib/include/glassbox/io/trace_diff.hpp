// glassbox/io/trace_diff.hpp — two traces compared event by event: where do two runs part?
//
//   TraceDiff d = diff_traces("mine.json", "reference.json", {.rtol = 1e-9});
//   if (!d.agree()) std::puts(d.report().c_str());
//
// The traces are read one event at a time (trace_reader.hpp) and walked in step: event k of A
// against event k of B, field by field in A's order, matrices element by element. Two numbers a
// (from A) and b (from B) agree when
//
//     |a − b| ≤ atol + rtol·|b|        (numpy.isclose's test; B is the reference)
//
// With the defaults rtol = 0 and atol = 0 only equal numbers agree: a trace is an exact record, and
// the same run gives the same bits. NaN agrees with NaN and ∞ with an ∞ of the same sign (traces
// write them as "nan", "inf", "-inf").
//
// Besides numbers that differ, a structural difference also counts: a field one event has and the
// other lacks, events of different kinds at the same place, matrices of different shapes, text or
// true/false that differ, a number against something else, one trace longer than the other. The
// headers are compared too (a different seed or learning rate is worth knowing) and reported apart,
// since they hold the settings rather than what was computed.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace glassbox {

struct DiffOptions {
  double rtol = 0;  // relative tolerance, times |b|
  double atol = 0;  // absolute tolerance
};

// Where a value stands in a trace.
struct TraceAddress {
  std::size_t event = 0;                // counted from 1; 0 for the header and the result
  std::size_t line_a = 0, line_b = 0;   // the lines it stands on in A and in B
  std::string kind;                     // the event's "event" ("backward"), "header" or "result"
  std::string run;                      // its "run", if any
  std::optional<long long> epoch, step; // its "epoch" and "step", if any
  std::optional<long long> layer;       // its "layer", if any
  std::string parameter;                // its "parameter", if any (update events)
  std::string field;                    // the field within the event: dL_dW, gradient_norms["layers[0].W"]
  std::vector<std::size_t> element;     // the index within an array: (r, c) in a matrix, (k) in a vector

  // "event 57 (line 59 of A, line 59 of B): backward, run "xor", epoch 1, step 1, layer 2, field dL_dW,
  // element (0, 1)"
  std::string describe() const;
};

struct Difference {
  enum class Kind {
    value,          // two numbers beyond the tolerance
    missing_field,  // a field in one event and not in the other
    event_kind,     // different kinds of event at the same place
    shape,          // arrays of different lengths
    type,           // a number against text, an array against an object, …
    text,           // text or true/false that differ
    length,         // one trace has more events than the other
  };
  Kind kind = Kind::value;
  TraceAddress where;
  std::string a, b;                  // the two values as the traces write them (or what is missing)
  double abs_error = 0;              // |a − b|, for a value
  double rel_error = 0;              // |a − b| / |b|, for a value (∞ when b = 0)
  double allowed = 0;                // atol + rtol·|b|, for a value
  std::string detail;                // for a structural difference, what it is

  std::string describe() const;
};

struct TraceDiff {
  DiffOptions options;
  std::vector<Difference> header;        // the headers' differences, all of them
  std::optional<Difference> first;       // the first difference in the events or the result
  std::size_t values_after = 0;          // numbers beyond the tolerance after the first difference
  std::size_t structural_after = 0;      // structural differences after it
  std::size_t values_compared = 0;       // numbers compared in the events and the result
  std::size_t events_a = 0, events_b = 0;

  bool agree() const { return header.empty() && !first; }
  // What a person reads: the header's differences, the first one in the events with both values
  // and its errors, and how many follow it.
  std::string report() const;
};

// Reads A and B one event at a time and compares them. Throws InputError naming the file (and the
// line) for a file that cannot be read or is not a trace, std::invalid_argument for a tolerance that
// is negative or not finite.
TraceDiff diff_traces(const std::filesystem::path& a, const std::filesystem::path& b, const DiffOptions& options = {});

}  // namespace glassbox
