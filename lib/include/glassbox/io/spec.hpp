// glassbox/io/spec.hpp — reading JSON specs, with errors that name the JSON path.
//
// A spec is a JSON document a person wrote (an experiment, a configuration). Whatever is wrong with
// it, the message starts with the JSON path of the value and says what was expected there, and what
// was found:
//
//   network.layers[1].activation: unknown "rleu" (did you mean "relu"?); known: identity, sigmoid, …
//   training.epochs: expected a whole number ≥ 1, got -3
//   training.epoch: unknown key (did you mean "epochs"?); known keys: epochs, batch_size, shuffle
//
// SpecValue is one value with its path; SpecObject an object whose keys are all known in advance,
// so a misspelt key is an error instead of a setting silently left at its default.
// read_json_file() reports malformed JSON as "file:line:column: …", like a compiler. Messages quote
// at most a few known names ("known: a, b, …, t, … and 12 more") and clip long values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/core/error.hpp"
#include "glassbox/core/json.hpp"

namespace glassbox {

// How a JSON value reads in a message: 3, -0.5, true, null, the string "10", an array of 3, an object.
std::string describe_json(const Json& value);

class SpecObject;

// One value of a spec and where it is (a view: the JSON document must outlive it). The reads check
// the type (and range) and throw SpecError "<path>: expected <what>, got <what it is>".
class SpecValue {
public:
  // Refers to `value`, which must outlive the SpecValue and everything read from it.
  SpecValue(const Json& value, std::string path) : value_(&value), path_(std::move(path)) {}
  SpecValue(Json&&, std::string) = delete;  // a temporary would be gone before it is read

  const Json& json() const noexcept { return *value_; }
  const std::string& path() const noexcept { return path_; }
  // The path of a member or element: "training" + "epochs" → "training.epochs"; "data.inputs" + 2 → "data.inputs[2]".
  std::string child_path(std::string_view key) const;
  std::string child_path(std::size_t index) const;

  [[noreturn]] void fail(std::string detail) const;
  // "expected <expected>, got <describe_json(value)>"
  [[noreturn]] void fail_expected(std::string_view expected) const;

  double number() const;                                 // any number
  double positive_number() const;                        // > 0
  double number_in(double low, double high) const;      // low ≤ x ≤ high
  // A whole number (3 or 3.0) in [min, max].
  std::uint64_t whole(std::uint64_t min = 0, std::uint64_t max = UINT64_MAX) const;
  bool boolean() const;
  std::string string() const;  // non-empty
  // One of `known`: "unknown "rleu" (did you mean "relu"?); known: …" otherwise.
  std::string choice(const std::vector<std::string>& known, std::string_view what = "") const;
  // The elements of an array with at least `min_size` of them.
  std::vector<SpecValue> array(std::size_t min_size = 0) const;
  // An array of numbers, each checked as number().
  std::vector<double> numbers() const;
  // An object whose keys must all be among `known`.
  SpecObject object(std::vector<std::string> known) const;

  bool is_object() const noexcept { return value_->is_object(); }
  bool is_string() const noexcept { return value_->is_string(); }
  bool is_array() const noexcept { return value_->is_array(); }

private:
  const Json* value_;
  std::string path_;
};

// A JSON object of a spec whose keys are all among those known: constructing it throws SpecError
// for the first unknown key, with the closest known key as a suggestion.
class SpecObject {
public:
  SpecObject(const SpecValue& value, std::vector<std::string> known);

  const SpecValue& value() const noexcept { return value_; }
  const std::string& path() const noexcept { return value_.path(); }
  bool has(std::string_view key) const;
  // The member `key`; missing → "<path>.<key>: missing; expected <expected>".
  SpecValue required(std::string_view key, std::string_view expected) const;
  std::optional<SpecValue> optional(std::string_view key) const;

private:
  SpecValue value_;
};

// The limits of what read_json_file() reads. A spec a person wrote is a few KB; data too large for
// these belongs in a CSV file. Within them, reading takes time in proportion to the size.
inline constexpr std::size_t max_spec_bytes = 16 * 1024 * 1024;  // 16 MiB
inline constexpr std::size_t max_json_depth = 100;              // objects and arrays within each other

// Reads a JSON file. A file that cannot be read, or is larger than `max_bytes`, throws InputError
// naming it. Malformed JSON throws InputError "file:line:column: <what>", the place where the
// parser stopped:
//   invalid JSON: <what the parser expected>
//   number out of range: 1e400 (a double holds at most ±1.8e308)   (1e-400 is read as 0, as strtod does)
//   nesting deeper than 100 levels
// A key given twice in one object throws SpecError "<path>: given twice" (parsers would otherwise
// keep one silently).
Json read_json_file(const std::filesystem::path& path, std::size_t max_bytes = max_spec_bytes);
// The same for text already in memory; `source` names it in messages.
Json parse_json_text(std::string_view text, std::string_view source);

}  // namespace glassbox
