// glassbox/core/error.hpp — every exception the library throws, in one place.
//
// Misuse throws; the library never prints and never exits. Every message names the operation and
// what was wrong with it, so a program can print e.what() and the reader knows where to look.
// A program sorts them into exit codes (chapters/common/course.cpp, tools/glassbox/main.cpp):
//   bad usage or bad input, nothing was written:  UsageError, InputError (and SpecError)  → 2
//   the run itself failed:                        everything else                         → 1
//   (a run whose numbers broke, NonFiniteError or DivergenceError, keeps its trace as
//   <name>.failed.json: io/trace.hpp, Tracer::finish_failed)
//
//   std::invalid_argument ─ ShapeError         shapes that do not fit
//                         ─ UsageError         a command-line option or value that is not allowed
//   std::runtime_error    ─ InputError         a file or spec that cannot be read
//                              ├ SpecError     … with the JSON path of the value at fault
//                              └ SettingError  … a setting's value (core/options.hpp), with its key
//                         ─ OutputError        a write that failed
//                         ─ NonFiniteError     a number became NaN or ±Inf
//                         ─ DivergenceError    the loss grew without bound
//                         ─ SingularMatrixError  a system with no unique solution
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace glassbox {

// Shapes that do not fit: "matmul: (32×784)·(128×10): inner dimensions 784 ≠ 128".
class ShapeError : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

// A command-line option or value that is not allowed: the message names the option, the value and
// what is allowed (io/cli.hpp).
class UsageError : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

// Input that cannot be read: a file that is missing, malformed or truncated. The message names the
// file and, where there is one, the line and column or the JSON path.
class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// The path of the whole document, as messages show it.
inline constexpr std::string_view top_level_path = "(top level)";

// What is wrong with a spec, and where: what() is "<path>: <detail>" (io/spec.hpp reads specs).
class SpecError : public InputError {
public:
  SpecError(std::string path, std::string detail)
      : InputError((path.empty() ? std::string(top_level_path) : path) + ": " + detail),
        path_(path.empty() ? std::string(top_level_path) : std::move(path)),
        detail_(std::move(detail)) {}
  const std::string& path() const noexcept { return path_; }      // "training.epochs"
  const std::string& detail() const noexcept { return detail_; }  // "expected a whole number ≥ 1, got -3"

private:
  std::string path_, detail_;
};

// A setting given as a JSON object (core/options.hpp) whose value is not allowed: what() is
// "<owner>: option "<key>" must be <expected>, got <value>". It keeps the key and what was expected,
// so a spec reader can say it again at the setting's JSON path ("optimizer.learning_rate: expected
// a number > 0, got 0").
class SettingError : public InputError {
public:
  SettingError(std::string_view owner, std::string key, std::string expected, std::string_view got)
      : InputError(std::string(owner) + ": option \"" + key + "\" must be " + expected + ", got " + std::string(got)),
        key_(std::move(key)),
        expected_(std::move(expected)) {}
  // The same for element `index` of a setting that is an array: what() says "<key>[<index>]"
  // ("option "betas[1]" must be a number in [0, 1), got 1").
  SettingError(std::string_view owner, std::string key, std::size_t index, std::string expected, std::string_view got)
      : SettingError(owner, key + "[" + std::to_string(index) + "]", std::move(expected), got) {
    key_ = std::move(key);
    index_ = index;
  }
  const std::string& key() const noexcept { return key_; }            // "learning_rate"
  const std::string& expected() const noexcept { return expected_; }  // "a number > 0"
  const std::optional<std::size_t>& index() const noexcept { return index_; }  // the element, for an array

private:
  std::string key_, expected_;
  std::optional<std::size_t> index_;
};

// A write that failed: the message names the path and the reason.
class OutputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A number that became NaN or ±Inf; the message says where it first appeared.
class NonFiniteError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// The loss grew without bound or stopped being a number (train/divergence.hpp). Carries what the
// message says.
class DivergenceError : public std::runtime_error {
public:
  DivergenceError(const std::string& message, double first, double last, std::size_t count)
      : std::runtime_error(message), first_loss(first), last_loss(last), updates(count) {}
  double first_loss;    // the loss the watch started from
  double last_loss;     // the loss that tripped it (may be inf or nan)
  std::size_t updates;  // updates made when it tripped
};

// A system with no unique solution: the message names the operation, the shape and the pivot
// (core/linalg.hpp).
class SingularMatrixError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

}  // namespace glassbox
