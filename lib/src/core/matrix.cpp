// glassbox/core/matrix.cpp — Matrix operations: construction, element-wise arithmetic, the products'
// shape checks, broadcasting, reductions and printing. The product kernel is in kernel.cpp.
#include "glassbox/core/matrix.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/core/kernel.hpp"
#include "glassbox/core/random.hpp"

namespace glassbox {

namespace {

std::string shape_of(std::size_t rows, std::size_t cols) { return fmt::format("({}×{})", rows, cols); }

[[noreturn]] void shape_mismatch(const char* op, const Matrix& a, const char* sign, const Matrix& b,
                                 const std::string& reason) {
  throw ShapeError(fmt::format("{}: {}{}{}: {}", op, a.shape(), sign, b.shape(), reason));
}

void require_same_shape(const char* op, const Matrix& a, const char* sign, const Matrix& b) {
  if (!a.same_shape(b)) shape_mismatch(op, a, sign, b, "shapes differ");
}

void require_nonempty(const char* op, const Matrix& a) {
  if (a.empty()) throw ShapeError(fmt::format("{}: {}: the matrix is empty", op, a.shape()));
}

// Whether x replaces best as the maximum (minimum) so far: it is larger (smaller), or it is the
// first NaN. A NaN, once found, is never replaced, so it is never hidden (numpy's rule).
bool beats_max(Scalar x, Scalar best) { return x > best || (std::isnan(x) && !std::isnan(best)); }
bool beats_min(Scalar x, Scalar best) { return x < best || (std::isnan(x) && !std::isnan(best)); }

// Index of the largest of x[0 … n−1]; ties and NaNs: the first.
std::size_t index_of_max(const Scalar* x, std::size_t n) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i)
    if (beats_max(x[i], x[best])) best = i;
  return best;
}

}  // namespace

// ---- construction -------------------------------------------------------------------------------

Matrix::Matrix(std::size_t rows, std::size_t cols, Scalar fill)
    : rows_(rows), cols_(cols), data_(rows * cols, fill) {}

Matrix::Matrix(std::initializer_list<std::initializer_list<Scalar>> rows)
    : rows_(rows.size()), cols_(rows.size() ? rows.begin()->size() : 0) {
  data_.reserve(rows_ * cols_);
  std::size_t r = 0;
  for (const auto& row : rows) {
    if (row.size() != cols_)
      throw ShapeError(fmt::format("Matrix: row {} has {} elements, row 0 has {}", r, row.size(), cols_));
    data_.insert(data_.end(), row.begin(), row.end());
    ++r;
  }
}

Matrix::Matrix(std::size_t rows, std::size_t cols, std::vector<Scalar> values)
    : rows_(rows), cols_(cols), data_(std::move(values)) {
  if (data_.size() != rows * cols)
    throw ShapeError(fmt::format("Matrix: {} needs {} values, got {}", shape_of(rows, cols),
                                 rows * cols, data_.size()));
}

Matrix Matrix::zeros(std::size_t rows, std::size_t cols) { return Matrix(rows, cols, Scalar{0}); }
Matrix Matrix::ones(std::size_t rows, std::size_t cols) { return Matrix(rows, cols, Scalar{1}); }

Matrix Matrix::identity(std::size_t n) {
  Matrix m(n, n);
  for (std::size_t i = 0; i < n; ++i) m(i, i) = Scalar{1};
  return m;
}

Matrix Matrix::row_vector(std::initializer_list<Scalar> values) {
  return Matrix(1, values.size(), std::vector<Scalar>(values));
}

Matrix Matrix::column_vector(std::initializer_list<Scalar> values) {
  return Matrix(values.size(), 1, std::vector<Scalar>(values));
}

Matrix Matrix::uniform(std::size_t rows, std::size_t cols, Rng& rng, Scalar low, Scalar high) {
  Matrix m(rows, cols);
  for (Scalar& x : m) x = static_cast<Scalar>(rng.uniform(low, high));
  return m;
}

Matrix Matrix::normal(std::size_t rows, std::size_t cols, Rng& rng, Scalar mean, Scalar stddev) {
  Matrix m(rows, cols);
  for (Scalar& x : m) x = static_cast<Scalar>(rng.normal(mean, stddev));
  return m;
}

std::string Matrix::shape() const { return shape_of(rows_, cols_); }

Scalar& Matrix::at(std::size_t r, std::size_t c) {
  if (r >= rows_ || c >= cols_)
    throw std::out_of_range(fmt::format("Matrix::at({}, {}): out of range for {}", r, c, shape()));
  return data_[r * cols_ + c];
}

Scalar Matrix::at(std::size_t r, std::size_t c) const { return const_cast<Matrix&>(*this).at(r, c); }

Matrix Matrix::row(std::size_t r) const {
  if (r >= rows_) throw std::out_of_range(fmt::format("Matrix::row({}): out of range for {}", r, shape()));
  return Matrix(1, cols_, std::vector<Scalar>(row_ptr(r), row_ptr(r) + cols_));
}

Matrix Matrix::col(std::size_t c) const {
  if (c >= cols_) throw std::out_of_range(fmt::format("Matrix::col({}): out of range for {}", c, shape()));
  Matrix out(rows_, 1);
  for (std::size_t r = 0; r < rows_; ++r) out(r, 0) = (*this)(r, c);
  return out;
}

void Matrix::fill(Scalar value) { std::fill(data_.begin(), data_.end(), value); }

Matrix Matrix::reshaped(std::size_t rows, std::size_t cols) const {
  if (rows * cols != size())
    throw ShapeError(fmt::format("reshape: {} → {}: {} elements cannot become {}", shape(),
                                 shape_of(rows, cols), size(), rows * cols));
  return Matrix(rows, cols, data_);
}

// ---- element-wise -------------------------------------------------------------------------------

Matrix& Matrix::operator+=(const Matrix& other) {
  require_same_shape("add", *this, " + ", other);
  for (std::size_t i = 0; i < data_.size(); ++i) data_[i] += other.data_[i];
  return *this;
}

Matrix& Matrix::operator-=(const Matrix& other) {
  require_same_shape("subtract", *this, " − ", other);
  for (std::size_t i = 0; i < data_.size(); ++i) data_[i] -= other.data_[i];
  return *this;
}

Matrix& Matrix::operator+=(Scalar s) {
  for (Scalar& x : data_) x += s;
  return *this;
}
Matrix& Matrix::operator-=(Scalar s) {
  for (Scalar& x : data_) x -= s;
  return *this;
}
Matrix& Matrix::operator*=(Scalar s) {
  for (Scalar& x : data_) x *= s;
  return *this;
}
Matrix& Matrix::operator/=(Scalar s) {
  for (Scalar& x : data_) x /= s;
  return *this;
}

Matrix& Matrix::axpy(Scalar alpha, const Matrix& other) {
  require_same_shape("axpy", *this, " + α·", other);
  for (std::size_t i = 0; i < data_.size(); ++i) data_[i] += alpha * other.data_[i];
  return *this;
}

Matrix operator+(Matrix a, const Matrix& b) { return std::move(a += b); }
Matrix operator-(Matrix a, const Matrix& b) { return std::move(a -= b); }
Matrix operator+(Matrix a, Scalar s) { return std::move(a += s); }
Matrix operator+(Scalar s, Matrix a) { return std::move(a += s); }
Matrix operator-(Matrix a, Scalar s) { return std::move(a -= s); }
Matrix operator-(Scalar s, Matrix a) { return std::move(a.apply_inplace([s](Scalar x) { return s - x; })); }
Matrix operator*(Matrix a, Scalar s) { return std::move(a *= s); }
Matrix operator*(Scalar s, Matrix a) { return std::move(a *= s); }
Matrix operator/(Matrix a, Scalar s) { return std::move(a /= s); }
Matrix operator-(Matrix a) { return std::move(a.apply_inplace([](Scalar x) { return -x; })); }

Matrix& hadamard_inplace(Matrix& a, const Matrix& b) {
  require_same_shape("hadamard", a, " ⊙ ", b);
  Scalar* pa = a.data();
  const Scalar* pb = b.data();
  for (std::size_t i = 0; i < a.size(); ++i) pa[i] *= pb[i];
  return a;
}

Matrix hadamard(const Matrix& a, const Matrix& b) {
  Matrix out = a;
  return std::move(hadamard_inplace(out, b));
}

// ---- products -----------------------------------------------------------------------------------
//
// All three products are one kernel, kernel::gemm (core/kernel.hpp, lib/src/core/kernel.cpp: its
// blocking, and why its summation order — and so every bit — is the textbook loop's). A·Bᵀ and
// Aᵀ·B read B or A through swapped strides. What stays here is what a student reads: the shapes
// checked, and where the result goes.

namespace {

// out shaped rows×cols, reusing its storage when it has the shape already; its values are about to
// be overwritten.
void shape_output(Matrix& out, std::size_t rows, std::size_t cols) {
  if (out.rows() != rows || out.cols() != cols) out = Matrix(rows, cols);
}

// What the three products share; they differ only in which operand is read transposed. Shape
// errors write the product as the caller wrote it: "matmul_abt: (32×784)·(128×10)ᵀ: …".
void product_into(const char* op, Matrix& out, const Matrix& a, bool a_transposed, const Matrix& b,
                  bool b_transposed, bool accumulate) {
  // op(A):(n×k) and op(B):(k×m) as strided views of the stored matrices.
  const std::size_t n = a_transposed ? a.cols() : a.rows(), k = a_transposed ? a.rows() : a.cols();
  const std::size_t b_k = b_transposed ? b.cols() : b.rows(), m = b_transposed ? b.rows() : b.cols();
  const kernel::Strided a_view = a_transposed ? kernel::Strided{a.data(), 1, a.cols()}
                                                : kernel::Strided{a.data(), a.cols(), 1};
  const kernel::Strided b_view = b_transposed ? kernel::Strided{b.data(), 1, b.cols()}
                                                : kernel::Strided{b.data(), b.cols(), 1};
  auto product = [&] {
    return fmt::format("{}{}·{}{}", a.shape(), a_transposed ? "ᵀ" : "", b.shape(), b_transposed ? "ᵀ" : "");
  };
  if (k != b_k) throw ShapeError(fmt::format("{}: {}: inner dimensions {} ≠ {}", op, product(), k, b_k));
  // Aᵀ·B is how a gradient dW = dZᵀ·X is formed: cut between threads by rows, like W (kernel.hpp).
  const kernel::Split split = a_transposed ? kernel::Split::rows : kernel::Split::automatic;

  if (accumulate) {
    if (out.rows() != n || out.cols() != m)
      throw ShapeError(
          fmt::format("{}: accumulating {} = {} into {}", op, product(), shape_of(n, m), out.shape()));
    // The product is summed on its own, in a per-thread scratch matrix reused from call to call,
    // and then added: out + (Σ_k a·b), the same bits as out += matmul(a, b). Summing into out
    // directly would give ((out + a₀b₀) + a₁b₁) + …, which rounds differently.
    thread_local Matrix scratch;
    shape_output(scratch, n, m);
    kernel::gemm(n, m, k, a_view, b_view, scratch.data(), kernel::Into::overwrite, split);
    out += scratch;
  } else if (&out == &a || &out == &b) {  // out is an input: it must not be overwritten while read
    Matrix result(n, m);
    kernel::gemm(n, m, k, a_view, b_view, result.data(), kernel::Into::overwrite, split);
    out = std::move(result);
  } else {
    shape_output(out, n, m);
    kernel::gemm(n, m, k, a_view, b_view, out.data(), kernel::Into::overwrite, split);
  }
}

}  // namespace

void matmul_into(Matrix& out, const Matrix& a, const Matrix& b, bool accumulate) {
  product_into("matmul", out, a, false, b, false, accumulate);  // A·B
}

void matmul_abt_into(Matrix& out, const Matrix& a, const Matrix& b, bool accumulate) {
  product_into("matmul_abt", out, a, false, b, true, accumulate);  // A·Bᵀ
}

void matmul_atb_into(Matrix& out, const Matrix& a, const Matrix& b, bool accumulate) {
  product_into("matmul_atb", out, a, true, b, false, accumulate);  // Aᵀ·B
}

Matrix matmul(const Matrix& a, const Matrix& b) {
  Matrix out;
  matmul_into(out, a, b);
  return out;
}

Matrix matmul_abt(const Matrix& a, const Matrix& b) {
  Matrix out;
  matmul_abt_into(out, a, b);
  return out;
}

Matrix matmul_atb(const Matrix& a, const Matrix& b) {
  Matrix out;
  matmul_atb_into(out, a, b);
  return out;
}

Matrix transpose(const Matrix& a) {
  Matrix out(a.cols(), a.rows());
  constexpr std::size_t kTile = 32;
  for (std::size_t r0 = 0; r0 < a.rows(); r0 += kTile)
    for (std::size_t c0 = 0; c0 < a.cols(); c0 += kTile)
      for (std::size_t r = r0; r < std::min(a.rows(), r0 + kTile); ++r)
        for (std::size_t c = c0; c < std::min(a.cols(), c0 + kTile); ++c) out(c, r) = a(r, c);
  return out;
}

// ---- broadcasting -------------------------------------------------------------------------------

Matrix& add_row_vector_inplace(Matrix& a, const Matrix& row) {
  if (row.rows() != 1 || row.cols() != a.cols())
    shape_mismatch("add_row_vector", a, " + ", row,
                   fmt::format("expected a row vector (1×{})", a.cols()));
  for (std::size_t r = 0; r < a.rows(); ++r) {
    Scalar* ar = a.row_ptr(r);
    const Scalar* b = row.data();
    for (std::size_t c = 0; c < a.cols(); ++c) ar[c] += b[c];
  }
  return a;
}

Matrix add_row_vector(Matrix a, const Matrix& row) { return std::move(add_row_vector_inplace(a, row)); }

// ---- reductions ---------------------------------------------------------------------------------

Scalar sum(const Matrix& a) {
  Scalar s = 0;
  for (Scalar x : a) s += x;
  return s;
}

Scalar mean(const Matrix& a) {
  require_nonempty("mean", a);
  return sum(a) / static_cast<Scalar>(a.size());
}

Scalar max(const Matrix& a) {
  require_nonempty("max", a);
  return a.data()[index_of_max(a.data(), a.size())];
}

Scalar min(const Matrix& a) {
  require_nonempty("min", a);
  Scalar best = a.data()[0];
  for (Scalar x : a)
    if (beats_min(x, best)) best = x;
  return best;
}

Matrix sum_rows(const Matrix& a) {
  Matrix out(1, a.cols());
  for (std::size_t r = 0; r < a.rows(); ++r) {
    const Scalar* ar = a.row_ptr(r);
    for (std::size_t c = 0; c < a.cols(); ++c) out(0, c) += ar[c];
  }
  return out;
}

Matrix mean_rows(const Matrix& a) {
  if (a.rows() == 0) throw ShapeError(fmt::format("mean_rows: {}: no rows to average", a.shape()));
  return sum_rows(a) / static_cast<Scalar>(a.rows());
}

Matrix max_rows(const Matrix& a) {
  if (a.rows() == 0) throw ShapeError(fmt::format("max_rows: {}: no rows", a.shape()));
  Matrix out = a.row(0);
  for (std::size_t r = 1; r < a.rows(); ++r)
    for (std::size_t c = 0; c < a.cols(); ++c)
      if (beats_max(a(r, c), out(0, c))) out(0, c) = a(r, c);
  return out;
}

Matrix sum_cols(const Matrix& a) {
  Matrix out(a.rows(), 1);
  for (std::size_t r = 0; r < a.rows(); ++r) {
    Scalar s = 0;
    const Scalar* ar = a.row_ptr(r);
    for (std::size_t c = 0; c < a.cols(); ++c) s += ar[c];
    out(r, 0) = s;
  }
  return out;
}

Matrix mean_cols(const Matrix& a) {
  if (a.cols() == 0) throw ShapeError(fmt::format("mean_cols: {}: no columns to average", a.shape()));
  return sum_cols(a) / static_cast<Scalar>(a.cols());
}

Matrix max_cols(const Matrix& a) {
  if (a.cols() == 0) throw ShapeError(fmt::format("max_cols: {}: no columns", a.shape()));
  Matrix out(a.rows(), 1);
  for (std::size_t r = 0; r < a.rows(); ++r) out(r, 0) = a.row_ptr(r)[index_of_max(a.row_ptr(r), a.cols())];
  return out;
}

std::vector<std::size_t> argmax_cols(const Matrix& a) {
  if (a.cols() == 0) throw ShapeError(fmt::format("argmax_cols: {}: no columns", a.shape()));
  std::vector<std::size_t> out(a.rows());
  for (std::size_t r = 0; r < a.rows(); ++r) out[r] = index_of_max(a.row_ptr(r), a.cols());
  return out;
}

std::size_t argmax_of_row(const Matrix& a, std::size_t r) {
  if (a.cols() == 0) throw ShapeError(fmt::format("argmax_of_row: {}: no columns", a.shape()));
  if (r >= a.rows()) throw ShapeError(fmt::format("argmax_of_row: {}: row {} is out of range", a.shape(), r));
  return index_of_max(a.row_ptr(r), a.cols());
}

std::vector<std::size_t> argmax_rows(const Matrix& a) {
  if (a.rows() == 0) throw ShapeError(fmt::format("argmax_rows: {}: no rows", a.shape()));
  std::vector<std::size_t> out(a.cols(), 0);
  for (std::size_t r = 1; r < a.rows(); ++r)
    for (std::size_t c = 0; c < a.cols(); ++c)
      if (beats_max(a(r, c), a(out[c], c))) out[c] = r;
  return out;
}

Scalar squared_norm(const Matrix& a) {
  Scalar s = 0;
  for (Scalar x : a) s += x * x;
  return s;
}

Scalar norm(const Matrix& a) { return std::sqrt(squared_norm(a)); }

Scalar dot(const Matrix& a, const Matrix& b) {
  require_same_shape("dot", a, " · ", b);
  Scalar s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a.data()[i] * b.data()[i];
  return s;
}

// ---- selection ----------------------------------------------------------------------------------

void gather_rows_into(Matrix& out, const Matrix& a, const std::vector<std::size_t>& indices) {
  // Every index is checked before anything is written, so a bad one leaves out as it was.
  for (std::size_t i = 0; i < indices.size(); ++i)
    if (indices[i] >= a.rows())
      throw ShapeError(fmt::format("gather_rows: {}: index {} (position {}) is out of range", a.shape(),
                                   indices[i], i));
  if (&out == &a) {  // rows would be overwritten before they are read
    Matrix gathered;
    gather_rows_into(gathered, a, indices);
    out = std::move(gathered);
    return;
  }
  if (out.rows() != indices.size() || out.cols() != a.cols()) out = Matrix(indices.size(), a.cols());
  // A mini-batch gathered from a data set far larger than the cache is a wait for memory: large
  // gathers are shared by the kernel's threads, which wait in parallel (a number read from memory
  // counts as kCopyWork multiply-adds).
  constexpr std::size_t kCopyWork = 8, kRowsPerBlock = 8;
  kernel::parallel_for(indices.size(), kRowsPerBlock, a.cols() * kCopyWork, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) std::copy_n(a.row_ptr(indices[i]), a.cols(), out.row_ptr(i));
  });
}

Matrix gather_rows(const Matrix& a, const std::vector<std::size_t>& indices) {
  Matrix out(indices.size(), a.cols());
  gather_rows_into(out, a, indices);
  return out;
}

Matrix slice_rows(const Matrix& a, std::size_t first, std::size_t count) {
  if (first > a.rows() || count > a.rows() - first)
    throw ShapeError(fmt::format("slice_rows: {}: rows [{}, {}) are out of range", a.shape(), first,
                                 first + count));
  return Matrix(count, a.cols(),
                std::vector<Scalar>(a.row_ptr(first), a.row_ptr(first) + count * a.cols()));
}

Matrix hconcat(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows())
    shape_mismatch("hconcat", a, " | ", b, fmt::format("row counts {} ≠ {}", a.rows(), b.rows()));
  Matrix out(a.rows(), a.cols() + b.cols());
  for (std::size_t r = 0; r < a.rows(); ++r) {
    std::copy_n(a.row_ptr(r), a.cols(), out.row_ptr(r));
    std::copy_n(b.row_ptr(r), b.cols(), out.row_ptr(r) + a.cols());
  }
  return out;
}

Matrix vconcat(const Matrix& a, const Matrix& b) {
  if (a.cols() != b.cols())
    shape_mismatch("vconcat", a, " ; ", b, fmt::format("column counts {} ≠ {}", a.cols(), b.cols()));
  std::vector<Scalar> values(a.values());
  values.insert(values.end(), b.begin(), b.end());
  return Matrix(a.rows() + b.rows(), a.cols(), std::move(values));
}

// ---- comparison and checks ----------------------------------------------------------------------

bool approx_equal(const Matrix& a, const Matrix& b, Scalar rtol, Scalar atol) {
  if (!a.same_shape(b)) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Scalar x = a.data()[i], y = b.data()[i];
    // An infinity is close only to the same infinity (the bound below would be inf itself).
    const bool close =
        std::isfinite(x) && std::isfinite(y) ? std::abs(x - y) <= atol + rtol * std::abs(y) : x == y;
    if (!close) return false;
  }
  return true;
}

Scalar max_abs_diff(const Matrix& a, const Matrix& b) {
  require_same_shape("max_abs_diff", a, " − ", b);
  Scalar d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Scalar e = std::abs(a.data()[i] - b.data()[i]);
    if (std::isnan(e)) return std::numeric_limits<Scalar>::quiet_NaN();
    d = std::max(d, e);
  }
  return d;
}

// A double is NaN or ±Inf exactly when its 11 exponent bits are all ones; adding one at the lowest
// exponent bit then carries into the sign bit, and never does for a finite number. Or-ing that over
// every element, with no early exit, lets the compiler test several elements per instruction: the
// training step runs this over every gradient and keeps it cheap.
bool all_finite(const Matrix& a) {
  constexpr std::uint64_t exponent = 0x7ff0000000000000, lowest_exponent_bit = 0x0010000000000000;
  static_assert(sizeof(Scalar) == sizeof(std::uint64_t));
  std::uint64_t carries = 0;
  const Scalar* p = a.data();
  for (std::size_t k = 0; k < a.size(); ++k) {
    std::uint64_t bits;
    std::memcpy(&bits, p + k, sizeof bits);
    carries |= (bits & exponent) + lowest_exponent_bit;
  }
  return (carries >> 63) == 0;
}

void require_finite(const Matrix& a, const std::string& what) {
  for (std::size_t r = 0; r < a.rows(); ++r)
    for (std::size_t c = 0; c < a.cols(); ++c)
      if (!std::isfinite(a(r, c)))
        throw NonFiniteError(fmt::format("{}: element ({}, {}) of {} is {}", what, r, c, a.shape(), a(r, c)));
}

std::string to_string(const Matrix& a, int precision) {
  constexpr std::size_t kMaxShown = 12;  // rows or columns shown before eliding the middle
  auto shown = [](std::size_t n) {
    std::vector<std::size_t> idx;
    if (n <= kMaxShown) {
      for (std::size_t i = 0; i < n; ++i) idx.push_back(i);
    } else {
      for (std::size_t i = 0; i < kMaxShown / 2; ++i) idx.push_back(i);
      idx.push_back(SIZE_MAX);  // the elision mark
      for (std::size_t i = n - kMaxShown / 2; i < n; ++i) idx.push_back(i);
    }
    return idx;
  };
  const auto rows = shown(a.rows()), cols = shown(a.cols());
  // "…" is one column wide but three bytes long.
  auto display_width = [](const std::string& cell) { return cell == "…" ? std::size_t{1} : cell.size(); };
  std::vector<std::vector<std::string>> cells;
  std::size_t width = 1;
  for (std::size_t r : rows) {
    auto& line = cells.emplace_back();
    for (std::size_t c : cols) {
      line.push_back(r == SIZE_MAX || c == SIZE_MAX ? "…" : fmt::format("{:.{}g}", a(r, c), precision));
      width = std::max(width, display_width(line.back()));
    }
  }
  std::string out;
  if (a.empty()) return fmt::format("[] {}", a.shape());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    out += i == 0 ? "[[" : " [";
    for (std::size_t j = 0; j < cells[i].size(); ++j) {
      if (j) out += "  ";
      out.append(width - display_width(cells[i][j]), ' ');
      out += cells[i][j];
    }
    out += i + 1 == cells.size() ? "]]" : "]\n";
  }
  return out;
}

}  // namespace glassbox
