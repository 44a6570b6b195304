// glassbox/core/linalg.hpp — small dense linear algebra: least squares in closed form, eigenvalues.
//
// n = unknowns (columns of X), N = equations (rows of X), m = right-hand sides.
//
// Least squares: the W that minimises ‖X·W − Y‖² satisfies the normal equations
//     (Xᵀ·X)·W = Xᵀ·Y          X:(N×n)  Y:(N×m)  W:(n×m)
// XᵀX is symmetric and, when the columns of X are linearly independent, positive definite; it is
// then factored as L·Lᵀ (Cholesky) and W found by two triangular solves. When the columns are
// dependent (a repeated or constant feature, fewer samples than unknowns), XᵀX is singular and
// there is no unique solution: that throws SingularMatrixError saying so, instead of returning
// huge or NaN weights. (Forming XᵀX squares the condition number; for the small, well-scaled
// problems of the course that costs nothing visible. QR would avoid it.)
#pragma once

#include <stdexcept>
#include <vector>

#include "glassbox/core/error.hpp"
#include "glassbox/core/matrix.hpp"

namespace glassbox {

// The lower-triangular L with A = L·Lᵀ, for a symmetric positive definite A (n×n). Throws
// ShapeError if A is not square or not symmetric, SingularMatrixError if a pivot is not positive
// (relative to the largest diagonal element of A: pivots below n·ε·max Aᵢᵢ count as zero).
Matrix cholesky(const Matrix& A);

// Solves A·X = B given L from cholesky(A): L·Y = B forward, then Lᵀ·X = Y backward.
// L:(n×n)  B:(n×m)  X:(n×m)
Matrix cholesky_solve(const Matrix& L, const Matrix& B);

// The least-squares solution of X·W ≈ Y by the normal equations (Xᵀ·X)·W = Xᵀ·Y.
// X:(N×n)  Y:(N×m)  W:(n×m). Throws SingularMatrixError when the columns of X are dependent.
Matrix solve_normal_equations(const Matrix& X, const Matrix& Y);

// The eigenvalues of a symmetric matrix (n×n), in increasing order, by cyclic Jacobi rotations
// (each rotation zeroes one off-diagonal pair; sweeps repeat until the off-diagonal part is
// negligible). Throws ShapeError if A is not square or not symmetric.
std::vector<Scalar> symmetric_eigenvalues(const Matrix& A);

}  // namespace glassbox
