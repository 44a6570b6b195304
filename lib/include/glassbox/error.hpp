// glassbox/error.hpp — the exceptions the library throws.
//
// Misuse throws; the library never prints and never exits. Every message names the operation and
// what was wrong with it, so a program can print e.what() and the reader knows where to look.
#pragma once

#include <stdexcept>
#include <string>

namespace glassbox {

// Shapes that do not fit: "matmul: (32×784)·(128×10): inner dimensions 784 ≠ 128".
class ShapeError : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

// Input that cannot be read: a file that is missing, malformed or truncated. The message names the
// file and, where there is one, the line and column or the JSON path.
class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A number that became NaN or ±Inf; the message says where it first appeared.
class NonFiniteError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

}  // namespace glassbox
