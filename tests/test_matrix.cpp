// Tests for glassbox/matrix.hpp.
#include <catch2/catch.hpp>

#include "glassbox/matrix.hpp"
#include "glassbox/random.hpp"

using namespace glassbox;

TEST_CASE("construction and element access", "[matrix]") {
  const Matrix m{{1, 2, 3}, {4, 5, 6}};
  CHECK(m.rows() == 2);
  CHECK(m.cols() == 3);
  CHECK(m(1, 2) == 6);
  CHECK(m.at(0, 1) == 2);
  CHECK(m.shape() == "(2×3)");
  CHECK_THROWS_WITH(m.at(2, 0), "Matrix::at(2, 0): out of range for (2×3)");
  CHECK_THROWS_WITH((Matrix{{1, 2}, {3}}), "Matrix: row 1 has 1 elements, row 0 has 2");
  CHECK(Matrix::identity(2) == Matrix{{1, 0}, {0, 1}});
}

TEST_CASE("matmul: product and error message", "[matrix]") {
  CHECK(matmul(Matrix{{1, 2}, {3, 4}}, Matrix{{5, 6}, {7, 8}}) == Matrix{{19, 22}, {43, 50}});
  CHECK_THROWS_AS(matmul(Matrix(32, 784), Matrix(128, 10)), ShapeError);
  CHECK_THROWS_WITH(matmul(Matrix(32, 784), Matrix(128, 10)), "matmul: (32×784)·(128×10): inner dimensions 784 ≠ 128");
}

TEST_CASE("blocked products equal the textbook triple loop exactly", "[matrix]") {
  Rng rng(3);
  for (auto [n, k, m] : {std::tuple{1, 1, 1}, {5, 7, 3}, {33, 300, 270}, {9, 130, 513}}) {
    const Matrix a = Matrix::uniform(n, k, rng, -1, 1), b = Matrix::uniform(k, m, rng, -1, 1);
    Matrix naive(n, m);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j) {
        Scalar s = 0;
        for (int p = 0; p < k; ++p) s += a(i, p) * b(p, j);
        naive(i, j) = s;
      }
    CHECK(matmul(a, b) == naive);
    CHECK(matmul_abt(a, transpose(b)) == naive);
    CHECK(matmul_atb(transpose(a), b) == naive);
  }
}
