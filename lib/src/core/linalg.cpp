// glassbox/core/linalg.cpp — Cholesky factorisation, triangular solves, Jacobi eigenvalues.
#include "glassbox/core/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace glassbox {

namespace {

void require_symmetric(const char* op, const Matrix& A) {
  if (A.rows() != A.cols()) throw ShapeError(fmt::format("{}: {}: the matrix must be square", op, A.shape()));
  Scalar largest = 0;
  for (Scalar x : A) largest = std::max(largest, std::abs(x));
  const Scalar tolerance = 1e-12 * largest;
  for (std::size_t i = 0; i < A.rows(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (!(std::abs(A(i, j) - A(j, i)) <= tolerance))
        throw ShapeError(fmt::format("{}: {}: the matrix must be symmetric, but A({}, {}) = {} ≠ A({}, {}) = {}", op,
                                     A.shape(), i, j, A(i, j), j, i, A(j, i)));
}

}  // namespace

Matrix cholesky(const Matrix& A) {
  require_symmetric("cholesky", A);
  const std::size_t n = A.rows();
  Scalar largest_diagonal = 0;
  for (std::size_t i = 0; i < n; ++i) largest_diagonal = std::max(largest_diagonal, A(i, i));
  const Scalar tiny = static_cast<Scalar>(n) * std::numeric_limits<Scalar>::epsilon() * largest_diagonal;
  // Lⱼⱼ = √(Aⱼⱼ − Σₖ<ⱼ Lⱼₖ²) ;  Lᵢⱼ = (Aᵢⱼ − Σₖ<ⱼ Lᵢₖ·Lⱼₖ) / Lⱼⱼ   for i > j
  Matrix L(n, n);
  for (std::size_t j = 0; j < n; ++j) {
    Scalar pivot = A(j, j);
    for (std::size_t k = 0; k < j; ++k) pivot -= L(j, k) * L(j, k);
    if (!(pivot > tiny))
      throw SingularMatrixError(fmt::format(
          "cholesky: {}: pivot {} is {:.3g} (≤ {:.3g}): the matrix is singular or not positive definite", A.shape(), j,
          pivot, tiny));
    L(j, j) = std::sqrt(pivot);
    for (std::size_t i = j + 1; i < n; ++i) {
      Scalar s = A(i, j);
      for (std::size_t k = 0; k < j; ++k) s -= L(i, k) * L(j, k);
      L(i, j) = s / L(j, j);
    }
  }
  return L;
}

Matrix cholesky_solve(const Matrix& L, const Matrix& B) {
  if (L.rows() != L.cols() || B.rows() != L.rows())
    throw ShapeError(fmt::format("cholesky_solve: L {} and B {}: L must be square with as many rows as B", L.shape(),
                                 B.shape()));
  const std::size_t n = L.rows(), m = B.cols();
  Matrix X = B;
  for (std::size_t c = 0; c < m; ++c) {
    // L·y = b, top down
    for (std::size_t i = 0; i < n; ++i) {
      Scalar s = X(i, c);
      for (std::size_t k = 0; k < i; ++k) s -= L(i, k) * X(k, c);
      X(i, c) = s / L(i, i);
    }
    // Lᵀ·x = y, bottom up
    for (std::size_t i = n; i-- > 0;) {
      Scalar s = X(i, c);
      for (std::size_t k = i + 1; k < n; ++k) s -= L(k, i) * X(k, c);
      X(i, c) = s / L(i, i);
    }
  }
  return X;
}

Matrix solve_normal_equations(const Matrix& X, const Matrix& Y) {
  if (X.rows() != Y.rows())
    throw ShapeError(fmt::format("solve_normal_equations: X {} and Y {}: need one row of Y per row of X", X.shape(),
                                 Y.shape()));
  const Matrix XtX = matmul_atb(X, X);  // (n×n)
  const Matrix XtY = matmul_atb(X, Y);  // (n×m)
  Matrix L;
  try {
    L = cholesky(XtX);
  } catch (const SingularMatrixError& e) {
    throw SingularMatrixError(fmt::format(
        "solve_normal_equations: X {}: XᵀX is singular, so the least-squares solution is not unique — the columns of "
        "X are linearly dependent (a repeated or constant column, or fewer rows than columns) [{}]",
        X.shape(), e.what()));
  }
  return cholesky_solve(L, XtY);
}

std::vector<Scalar> symmetric_eigenvalues(const Matrix& A) {
  require_symmetric("symmetric_eigenvalues", A);
  const std::size_t n = A.rows();
  Matrix a = A;
  auto off_diagonal = [&] {
    Scalar s = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (i != j) s += a(i, j) * a(i, j);
    return s;
  };
  const Scalar scale = squared_norm(A);
  for (int sweep = 0; sweep < 100 && off_diagonal() > 1e-30 * scale; ++sweep) {
    for (std::size_t p = 0; p + 1 < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) {
        if (a(p, q) == 0) continue;
        // The rotation by θ in the (p, q) plane with tan 2θ = 2·a_pq / (a_qq − a_pp) zeroes a_pq.
        const Scalar theta = (a(q, q) - a(p, p)) / (2 * a(p, q));
        const Scalar t = (theta >= 0 ? 1 : -1) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const Scalar c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {  // columns p and q: a ← a·J
          const Scalar akp = a(k, p), akq = a(k, q);
          a(k, p) = c * akp - s * akq;
          a(k, q) = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {  // rows p and q: a ← Jᵀ·a
          const Scalar apk = a(p, k), aqk = a(q, k);
          a(p, k) = c * apk - s * aqk;
          a(q, k) = s * apk + c * aqk;
        }
      }
  }
  std::vector<Scalar> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = a(i, i);
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace glassbox
