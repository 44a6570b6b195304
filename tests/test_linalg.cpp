// Tests for glassbox/core/linalg.hpp: Cholesky, the normal equations and symmetric eigenvalues, on
// systems solved by hand, and the properties every solution must have.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "glassbox/core/linalg.hpp"
#include "glassbox/core/random.hpp"

using namespace glassbox;

TEST_CASE("cholesky: A = L·Lᵀ for a 2×2 worked by hand", "[linalg]") {
  // L00 = √4 = 2, L10 = 2/2 = 1, L11 = √(3 − 1²) = √2
  const Matrix A{{4, 2}, {2, 3}};
  const Matrix L = cholesky(A);
  CHECK(approx_equal(L, Matrix{{2, 0}, {1, std::sqrt(2.0)}}, 1e-15));
  CHECK(approx_equal(matmul_abt(L, L), A, 1e-15));
  // 4x + 2y = 2, 2x + 3y = 1  →  y = 0, x = ½
  CHECK(approx_equal(cholesky_solve(L, Matrix{{2}, {1}}), Matrix{{0.5}, {0}}, 1e-15, 1e-15));
}

TEST_CASE("cholesky: refuses what it cannot factor, saying why", "[linalg]") {
  CHECK_THROWS_WITH(cholesky(Matrix(2, 3)), Catch::Contains("cholesky: (2×3): the matrix must be square"));
  CHECK_THROWS_WITH(cholesky(Matrix{{1, 2}, {3, 4}}), Catch::Contains("must be symmetric"));
  CHECK_THROWS_AS(cholesky(Matrix{{1, 2}, {2, 4}}), SingularMatrixError);  // rank 1
  CHECK_THROWS_WITH(cholesky(Matrix{{1, 2}, {2, 1}}), Catch::Contains("not positive definite"));
}

TEST_CASE("normal equations: points on a line give the line exactly", "[linalg]") {
  // y = 1 + 2x at x = 0, 1, 2, 3; columns of X: the constant 1 and x.
  const Matrix X{{1, 0}, {1, 1}, {1, 2}, {1, 3}};
  const Matrix y{{1}, {3}, {5}, {7}};
  CHECK(approx_equal(solve_normal_equations(X, y), Matrix{{1}, {2}}, 1e-12, 1e-12));
}

TEST_CASE("normal equations: the least-squares line through three points, by hand", "[linalg]") {
  // (0,0), (1,1), (2,1): x̄ = 1, ȳ = ⅔, slope = Σ(x−x̄)(y−ȳ)/Σ(x−x̄)² = (⅔ + ⅓)/2 = ½, intercept = ⅔ − ½ = ⅙
  const Matrix X{{1, 0}, {1, 1}, {1, 2}};
  const Matrix y{{0}, {1}, {1}};
  const Matrix w = solve_normal_equations(X, y);
  CHECK(w(0, 0) == Approx(1.0 / 6.0).epsilon(1e-14));
  CHECK(w(1, 0) == Approx(0.5).epsilon(1e-14));
  // The residual is orthogonal to every column: Xᵀ(Xw − y) = 0.
  CHECK(max(matmul_atb(X, matmul(X, w) - y).apply([](Scalar v) { return std::abs(v); })) < 1e-14);
}

TEST_CASE("normal equations: several right-hand sides at once, on random data", "[linalg]") {
  Rng rng(3);
  const Matrix X = Matrix::normal(50, 4, rng, 0, 1);
  const Matrix Y = Matrix::normal(50, 2, rng, 0, 1);
  const Matrix W = solve_normal_equations(X, Y);
  CHECK(W.rows() == 4);
  CHECK(W.cols() == 2);
  const Matrix gradient = matmul_atb(X, matmul(X, W) - Y);
  CHECK(max(gradient.apply([](Scalar v) { return std::abs(v); })) < 1e-12);
}

TEST_CASE("normal equations: dependent columns are reported, not solved", "[linalg]") {
  const Matrix X{{1, 2, 2}, {1, 3, 3}, {1, 5, 5}};  // column 2 repeats column 1
  CHECK_THROWS_AS(solve_normal_equations(X, Matrix{{1}, {2}, {3}}), SingularMatrixError);
  CHECK_THROWS_WITH(solve_normal_equations(X, Matrix{{1}, {2}, {3}}),
                    Catch::Contains("solve_normal_equations: X (3×3): XᵀX is singular") &&
                        Catch::Contains("linearly dependent"));
  CHECK_THROWS_AS(solve_normal_equations(X, Matrix(2, 1)), ShapeError);
}

TEST_CASE("eigenvalues: closed forms for small symmetric matrices", "[linalg]") {
  // [[2,1],[1,2]]: 1 and 3.
  const auto two = symmetric_eigenvalues(Matrix{{2, 1}, {1, 2}});
  REQUIRE(two.size() == 2);
  CHECK(two[0] == Approx(1.0).epsilon(1e-14));
  CHECK(two[1] == Approx(3.0).epsilon(1e-14));
  // The tridiagonal (−1, 2, −1) matrix of size 3: 2 − 2cos(kπ/4) = 2 − √2, 2, 2 + √2.
  const auto three = symmetric_eigenvalues(Matrix{{2, -1, 0}, {-1, 2, -1}, {0, -1, 2}});
  CHECK(three[0] == Approx(2 - std::sqrt(2.0)).epsilon(1e-14));
  CHECK(three[1] == Approx(2.0).epsilon(1e-14));
  CHECK(three[2] == Approx(2 + std::sqrt(2.0)).epsilon(1e-14));
  CHECK_THROWS_AS(symmetric_eigenvalues(Matrix{{1, 2}, {0, 1}}), ShapeError);
}

TEST_CASE("eigenvalues: sum to the trace, squares sum to the Frobenius norm²", "[linalg]") {
  Rng rng(11);
  const Matrix B = Matrix::normal(6, 6, rng, 0, 1);
  const Matrix A = B + transpose(B);
  const auto values = symmetric_eigenvalues(A);
  Scalar trace = 0;
  for (std::size_t i = 0; i < 6; ++i) trace += A(i, i);
  CHECK(std::accumulate(values.begin(), values.end(), 0.0) == Approx(trace).margin(1e-12));
  Scalar squares = 0;
  for (Scalar v : values) squares += v * v;
  CHECK(squares == Approx(squared_norm(A)).epsilon(1e-12));
  CHECK(std::is_sorted(values.begin(), values.end()));
  // The smallest eigenvalue λ makes A − λ·I singular: shifted just below it, the matrix is
  // positive definite; just above, it is not.
  const Matrix below = A - values[0] * Matrix::identity(6) + 1e-6 * Matrix::identity(6);
  const Matrix above = A - values[0] * Matrix::identity(6) - 1e-6 * Matrix::identity(6);
  CHECK_NOTHROW(cholesky(below));
  CHECK_THROWS_AS(cholesky(above), SingularMatrixError);
}
