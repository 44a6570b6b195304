// Uses the installed library: a matrix product, printed.
#include <glassbox/core/matrix.hpp>

#include <fmt/format.h>

int main() {
  const glassbox::Matrix a{{1, 2}, {3, 4}};
  const glassbox::Matrix b{{5, 6}, {7, 8}};
  const glassbox::Matrix c = glassbox::matmul(a, b);
  fmt::print("consumer: {} {} {} {}\n", c(0, 0), c(0, 1), c(1, 0), c(1, 1));
}
