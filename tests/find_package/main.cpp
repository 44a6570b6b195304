// Uses the installed library: a matrix product, printed; and the IDX reader, whose gzip side needs
// zlib on the link line (the package finds it).
#include <glassbox/core/error.hpp>
#include <glassbox/core/matrix.hpp>
#include <glassbox/data/idx.hpp>

#include <fmt/format.h>

int main() {
  const glassbox::Matrix a{{1, 2}, {3, 4}};
  const glassbox::Matrix b{{5, 6}, {7, 8}};
  const glassbox::Matrix c = glassbox::matmul(a, b);
  fmt::print("consumer: {} {} {} {}\n", c(0, 0), c(0, 1), c(1, 0), c(1, 1));
  try {
    glassbox::read_idx_labels("no-such-labels-idx1-ubyte.gz", 10);
    return 1;
  } catch (const glassbox::InputError&) {
  }
}
