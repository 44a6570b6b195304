// glassbox/core/matrix.hpp — the dense matrix every chapter computes with.
//
// Row-major and contiguous: element (r, c) lives at data()[r * cols() + c], so one row is one
// contiguous run of memory. A batch of N samples with `in` features each is an (N×in) matrix: one
// sample per row. The element type is `Scalar`, defined once here.
//
// Every operation checks shapes and throws ShapeError naming the operation and both shapes.
// `at(r, c)` is bounds-checked; `operator()(r, c)` is not (it asserts in debug builds) and is what
// the kernels use.
#pragma once

#include <cassert>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"

namespace glassbox {

// The one place the element type is chosen.
using Scalar = double;

class Rng;

class Matrix {
public:
  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols, Scalar fill = Scalar{0});
  // Matrix{{1, 2, 3}, {4, 5, 6}} is (2×3). Ragged rows throw ShapeError.
  Matrix(std::initializer_list<std::initializer_list<Scalar>> rows);
  // Takes `values` as the rows×cols elements in row-major order.
  Matrix(std::size_t rows, std::size_t cols, std::vector<Scalar> values);

  static Matrix zeros(std::size_t rows, std::size_t cols);
  static Matrix ones(std::size_t rows, std::size_t cols);
  static Matrix identity(std::size_t n);
  static Matrix row_vector(std::initializer_list<Scalar> values);     // (1×n)
  static Matrix column_vector(std::initializer_list<Scalar> values);  // (n×1)
  // Elements drawn independently from U(low, high) or N(mean, stddev²), row by row.
  static Matrix uniform(std::size_t rows, std::size_t cols, Rng& rng, Scalar low, Scalar high);
  static Matrix normal(std::size_t rows, std::size_t cols, Rng& rng, Scalar mean, Scalar stddev);

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  std::size_t size() const noexcept { return data_.size(); }
  bool empty() const noexcept { return data_.empty(); }
  bool same_shape(const Matrix& other) const noexcept {
    return rows_ == other.rows_ && cols_ == other.cols_;
  }
  std::string shape() const;  // "(32×784)"

  Scalar& operator()(std::size_t r, std::size_t c) noexcept {
    assert(r < rows_ && c < cols_);
    return data_[r * cols_ + c];
  }
  Scalar operator()(std::size_t r, std::size_t c) const noexcept {
    assert(r < rows_ && c < cols_);
    return data_[r * cols_ + c];
  }
  Scalar& at(std::size_t r, std::size_t c);  // throws std::out_of_range naming the index and shape
  Scalar at(std::size_t r, std::size_t c) const;

  Scalar* data() noexcept { return data_.data(); }
  const Scalar* data() const noexcept { return data_.data(); }
  Scalar* row_ptr(std::size_t r) noexcept { return data_.data() + r * cols_; }
  const Scalar* row_ptr(std::size_t r) const noexcept { return data_.data() + r * cols_; }
  const std::vector<Scalar>& values() const noexcept { return data_; }
  auto begin() noexcept { return data_.begin(); }
  auto end() noexcept { return data_.end(); }
  auto begin() const noexcept { return data_.begin(); }
  auto end() const noexcept { return data_.end(); }

  Matrix row(std::size_t r) const;  // (1×cols)
  Matrix col(std::size_t c) const;  // (rows×1)
  void fill(Scalar value);
  // Same elements, new shape; rows×cols must stay the same.
  Matrix reshaped(std::size_t rows, std::size_t cols) const;

  // Element-wise, in place. Shapes must match exactly (no implicit broadcasting).
  Matrix& operator+=(const Matrix& other);
  Matrix& operator-=(const Matrix& other);
  Matrix& operator+=(Scalar s);
  Matrix& operator-=(Scalar s);
  Matrix& operator*=(Scalar s);
  Matrix& operator/=(Scalar s);
  // this += alpha · other (the update step θ ← θ − η·dθ is axpy(-η, dθ)).
  Matrix& axpy(Scalar alpha, const Matrix& other);

  template <typename F>
  Matrix& apply_inplace(F&& f) {
    for (Scalar& x : data_) x = f(x);
    return *this;
  }
  template <typename F>
  Matrix apply(F&& f) const {
    Matrix out = *this;
    out.apply_inplace(f);
    return out;
  }

  friend bool operator==(const Matrix&, const Matrix&) = default;  // exact: same shape and bits

private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<Scalar> data_;
};

// ---- element-wise -------------------------------------------------------------------------------
Matrix operator+(Matrix a, const Matrix& b);
Matrix operator-(Matrix a, const Matrix& b);
Matrix operator+(Matrix a, Scalar s);
Matrix operator+(Scalar s, Matrix a);
Matrix operator-(Matrix a, Scalar s);
Matrix operator-(Scalar s, Matrix a);  // s − a, element-wise
Matrix operator*(Matrix a, Scalar s);
Matrix operator*(Scalar s, Matrix a);
Matrix operator/(Matrix a, Scalar s);
Matrix operator-(Matrix a);
Matrix hadamard(const Matrix& a, const Matrix& b);  // a ⊙ b
Matrix& hadamard_inplace(Matrix& a, const Matrix& b);

// ---- products -----------------------------------------------------------------------------------
// Every element is summed over k in increasing order, exactly like the textbook loop
// C(i, j) = Σ_k A(i, k)·B(k, j), so the results are the same bits on every machine and in every build
// (portable or -march=native). How the kernel is still fast: docs/performance.md.
// C = A·B        A:(n×k)  B:(k×m)  C:(n×m)
Matrix matmul(const Matrix& a, const Matrix& b);
// C = A·Bᵀ       A:(n×k)  B:(m×k)  C:(n×m)   — the dense layer's forward Z = X·Wᵀ
Matrix matmul_abt(const Matrix& a, const Matrix& b);
// C = Aᵀ·B       A:(k×n)  B:(k×m)  C:(n×m)   — the dense layer's dL/dW = dZᵀ·X
Matrix matmul_atb(const Matrix& a, const Matrix& b);
// The same products written into an existing output (resized if needed, no allocation if not):
// out = A·B, A·Bᵀ, Aᵀ·B. With accumulate, out += the product instead (out must have the shape):
// the product is summed first and then added, so the bits are those of out += matmul(a, b).
// out may be a or b.
void matmul_into(Matrix& out, const Matrix& a, const Matrix& b, bool accumulate = false);
void matmul_abt_into(Matrix& out, const Matrix& a, const Matrix& b, bool accumulate = false);
void matmul_atb_into(Matrix& out, const Matrix& a, const Matrix& b, bool accumulate = false);
Matrix transpose(const Matrix& a);

// ---- broadcasting -------------------------------------------------------------------------------
// Adds the (1×cols) row vector to every row of a:  Z = X·Wᵀ + b.
Matrix add_row_vector(Matrix a, const Matrix& row);
Matrix& add_row_vector_inplace(Matrix& a, const Matrix& row);

// ---- reductions ---------------------------------------------------------------------------------
// "rows" reductions collapse the rows: the result is one row (1×cols), e.g. dL/db = Σ_rows dZ.
// "cols" reductions collapse the columns: the result is one column (rows×1), one value per sample.
// A NaN is never hidden: a maximum or minimum over a NaN is NaN, and argmax points at the first
// NaN (numpy's rule). Sums over nothing are 0; the other reductions refuse an empty input.
Scalar sum(const Matrix& a);
Scalar mean(const Matrix& a);
Scalar max(const Matrix& a);
Scalar min(const Matrix& a);
Matrix sum_rows(const Matrix& a);   // (1×cols)
Matrix mean_rows(const Matrix& a);  // (1×cols)
Matrix max_rows(const Matrix& a);   // (1×cols)
Matrix sum_cols(const Matrix& a);   // (rows×1)
Matrix mean_cols(const Matrix& a);  // (rows×1)
Matrix max_cols(const Matrix& a);   // (rows×1)
// Index of the largest element of each row (the predicted class of each sample); ties take the
// first. Throws on a matrix with no columns.
std::vector<std::size_t> argmax_cols(const Matrix& a);
// Index of the largest element of each column.
std::vector<std::size_t> argmax_rows(const Matrix& a);
// argmax_cols for one row r, without building the vector.
std::size_t argmax_of_row(const Matrix& a, std::size_t r);
Scalar squared_norm(const Matrix& a);  // Σ a²
Scalar norm(const Matrix& a);          // √Σ a² (Frobenius)
Scalar dot(const Matrix& a, const Matrix& b);  // Σ a⊙b, same shapes

// ---- selection ----------------------------------------------------------------------------------
// The rows of a listed in `indices`, in that order: a mini-batch. An index out of range throws
// before anything is written. The output of gather_rows_into may be `a` itself.
Matrix gather_rows(const Matrix& a, const std::vector<std::size_t>& indices);
void gather_rows_into(Matrix& out, const Matrix& a, const std::vector<std::size_t>& indices);
// Rows [first, first + count).
Matrix slice_rows(const Matrix& a, std::size_t first, std::size_t count);
// [a | b] side by side (same rows) and [a ; b] stacked (same cols).
Matrix hconcat(const Matrix& a, const Matrix& b);
Matrix vconcat(const Matrix& a, const Matrix& b);

// ---- comparison and checks ----------------------------------------------------------------------
// Same shape and |a − b| ≤ atol + rtol·|b| for every element (numpy's isclose rule). NaN is close
// to nothing; ±inf only to the same infinity.
bool approx_equal(const Matrix& a, const Matrix& b, Scalar rtol = 1e-9, Scalar atol = 1e-12);
Scalar max_abs_diff(const Matrix& a, const Matrix& b);
bool all_finite(const Matrix& a);
// Throws NonFiniteError "<what>: element (r, c) of (rows×cols) is nan" (or inf, -inf) at the first
// NaN or ±Inf in row-major order.
void require_finite(const Matrix& a, const std::string& what);

// Multi-line, aligned, for printing small matrices; large ones are elided in the middle.
std::string to_string(const Matrix& a, int precision = 6);

}  // namespace glassbox

// fmt::format("{}", m) prints the matrix as to_string does; "{:.3}" chooses the precision.
template <>
struct fmt::formatter<glassbox::Matrix> {
  int precision = 6;
  constexpr auto parse(format_parse_context& ctx) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it == '.') {
      ++it;
      precision = 0;
      while (it != ctx.end() && *it >= '0' && *it <= '9') precision = precision * 10 + (*it++ - '0');
    }
    if (it != ctx.end() && *it != '}') throw format_error("glassbox::Matrix: format is {} or {:.N}");
    return it;
  }
  template <typename FormatContext>
  auto format(const glassbox::Matrix& m, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "{}", glassbox::to_string(m, precision));
  }
};
