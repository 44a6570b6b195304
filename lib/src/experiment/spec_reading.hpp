// glassbox/experiment/spec_reading.hpp — what the files of the spec reader share (internal, not installed).
//
// N = samples, in = the network's inputs, out = its outputs.
//
//   spec_reader.cpp   the fields of a spec, all but the data
//   spec_rows.cpp     numbers and rows of numbers (explicit weights, inline samples)
//   data_sources.cpp  the data section: inline samples, generators; targets as the loss takes them
//   csv_data.cpp      the data section's CSV file
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/experiment/experiment.hpp"

namespace glassbox::detail {

// "1 row", "3 rows"
std::string count_of(std::size_t n, std::string_view one, std::string_view many);

// One row of `cols` numbers into `out`; `why` says where the width comes from ("network.inputs = 2").
void read_row(const SpecValue& row, std::size_t cols, const std::string& why, Scalar* out);
// A matrix written as rows of `cols` numbers, with exactly `rows` rows when that is given. For one
// column, a plain list of numbers is taken as one number per row.
Matrix read_rows(const SpecValue& v, std::optional<std::size_t> rows, std::size_t cols, const std::string& why);

// The spec's "data" object into e.data (data_sources.cpp); the network and the loss are read.
void read_data(const SpecObject& spec, Experiment& e);
// The spec's "test" object into e.test, read as read_data() reads "data" (data_sources.cpp).
void read_test_data(const SpecObject& spec, Experiment& e);
// The data section's samples from the CSV file `csv` names (csv_data.cpp).
void read_csv_data(const SpecObject& data, const SpecValue& csv, Experiment& e);

// Targets as the loss takes them (data_sources.cpp).
// "network.layers[1].units = 3": where the number of outputs comes from.
std::string last_units(const Experiment& e);
// Why the targets have as many columns as they have: the outputs, or one class index per sample.
std::string targets_why(const Experiment& e);
// What is wrong with target t for the loss, if anything.
std::optional<std::string> target_problem(const Experiment& e, double t);
// Class labels 0 … K−1 as the loss takes them: class indices, 0/1 (or ±1) for one output, one-hot rows.
Matrix label_targets(const std::vector<std::size_t>& labels, std::size_t classes, const Experiment& e);

}  // namespace glassbox::detail
