// Tests for glassbox/core/matrix.hpp: every operation, its edge cases and its exact error messages.
//
// Expected values are worked out by hand in the comments, or computed here by the textbook loop
// (naive_ab / naive_abt / naive_atb below), never copied from the library's output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <tuple>

#include "glassbox/core/matrix.hpp"
#include "glassbox/core/random.hpp"

using namespace glassbox;
using Catch::Matchers::Message;

namespace {

constexpr Scalar kNaN = std::numeric_limits<Scalar>::quiet_NaN();
constexpr Scalar kInf = std::numeric_limits<Scalar>::infinity();

// The textbook products: C(i, j) = Σ_k A(i, k)·B(k, j), one element at a time, k increasing.
Matrix naive_ab(const Matrix& a, const Matrix& b) {  // A·B
  Matrix c(a.rows(), b.cols());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < b.cols(); ++j) {
      Scalar s = 0;
      for (std::size_t k = 0; k < a.cols(); ++k) s += a(i, k) * b(k, j);
      c(i, j) = s;
    }
  return c;
}

Matrix naive_abt(const Matrix& a, const Matrix& b) {  // A·Bᵀ
  Matrix c(a.rows(), b.rows());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < b.rows(); ++j) {
      Scalar s = 0;
      for (std::size_t k = 0; k < a.cols(); ++k) s += a(i, k) * b(j, k);
      c(i, j) = s;
    }
  return c;
}

Matrix naive_atb(const Matrix& a, const Matrix& b) {  // Aᵀ·B
  Matrix c(a.cols(), b.cols());
  for (std::size_t i = 0; i < a.cols(); ++i)
    for (std::size_t j = 0; j < b.cols(); ++j) {
      Scalar s = 0;
      for (std::size_t k = 0; k < a.rows(); ++k) s += a(k, i) * b(k, j);
      c(i, j) = s;
    }
  return c;
}

// Same shape and the same bits in every element (unlike ==, a NaN equals a NaN here).
bool same_bits(const Matrix& a, const Matrix& b) {
  return a.same_shape(b) && std::memcmp(a.data(), b.data(), a.size() * sizeof(Scalar)) == 0;
}

}  // namespace

// ---- construction -------------------------------------------------------------------------------

TEST_CASE("construction: shape constructor, fill value and the default matrix", "[matrix]") {
  const Matrix empty;
  CHECK(empty.rows() == 0);
  CHECK(empty.cols() == 0);
  CHECK(empty.empty());
  CHECK(empty.shape() == "(0×0)");

  const Matrix z(2, 3);
  CHECK(z.rows() == 2);
  CHECK(z.cols() == 3);
  CHECK(z.size() == 6);
  CHECK_FALSE(z.empty());
  for (Scalar x : z) CHECK(x == 0);

  const Matrix f(3, 2, 1.5);
  CHECK(f.shape() == "(3×2)");
  for (Scalar x : f) CHECK(x == 1.5);

  // A shape with a zero side has no elements but keeps its shape.
  const Matrix no_rows(0, 4);
  CHECK(no_rows.empty());
  CHECK(no_rows.cols() == 4);

  CHECK(z.same_shape(Matrix(2, 3, 7.0)));
  CHECK_FALSE(z.same_shape(Matrix(3, 2)));
  CHECK_FALSE(no_rows.same_shape(Matrix(4, 0)));
}

TEST_CASE("construction: nested lists are rows, and ragged rows are refused", "[matrix]") {
  const Matrix m{{1, 2, 3}, {4, 5, 6}};
  CHECK(m.shape() == "(2×3)");
  // Row-major: element (r, c) is data()[r·cols + c].
  const std::vector<Scalar> expected{1, 2, 3, 4, 5, 6};
  CHECK(m.values() == expected);
  CHECK(m.data()[1 * 3 + 2] == 6);
  CHECK(m.row_ptr(1)[0] == 4);
  CHECK_THROWS_MATCHES((Matrix{{1, 2}, {3}}), ShapeError,
                       Message("Matrix: row 1 has 1 elements, row 0 has 2"));
  CHECK_THROWS_MATCHES((Matrix{{1}, {2}, {3, 4, 5}}), ShapeError,
                       Message("Matrix: row 2 has 3 elements, row 0 has 1"));
}

TEST_CASE("construction: from a vector of values, whose size must be rows×cols", "[matrix]") {
  const Matrix m(2, 2, std::vector<Scalar>{1, 2, 3, 4});
  CHECK(m == Matrix{{1, 2}, {3, 4}});
  const Matrix column(3, 1, std::vector<Scalar>{7, 8, 9});
  CHECK(column(2, 0) == 9);
  CHECK_THROWS_MATCHES(Matrix(2, 3, std::vector<Scalar>{1, 2, 3, 4, 5}), ShapeError,
                       Message("Matrix: (2×3) needs 6 values, got 5"));
  CHECK_THROWS_MATCHES(Matrix(1, 1, std::vector<Scalar>{}), ShapeError,
                       Message("Matrix: (1×1) needs 1 values, got 0"));
  CHECK(Matrix(0, 5, std::vector<Scalar>{}).shape() == "(0×5)");
}

TEST_CASE("construction: zeros, ones, identity, row and column vectors", "[matrix]") {
  CHECK(Matrix::zeros(2, 3) == Matrix{{0, 0, 0}, {0, 0, 0}});
  CHECK(Matrix::ones(3, 2) == Matrix{{1, 1}, {1, 1}, {1, 1}});
  CHECK(Matrix::identity(3) == Matrix{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
  CHECK(Matrix::identity(0).shape() == "(0×0)");
  const Matrix r = Matrix::row_vector({1, 2, 3});
  CHECK(r.shape() == "(1×3)");
  CHECK(r == Matrix{{1, 2, 3}});
  const Matrix c = Matrix::column_vector({1, 2, 3});
  CHECK(c.shape() == "(3×1)");
  CHECK(c == Matrix{{1}, {2}, {3}});
}

TEST_CASE("construction: uniform and normal draw from the Rng row by row", "[matrix]") {
  Rng rng(42), replay(42);
  const Matrix u = Matrix::uniform(3, 4, rng, -2.0, 3.0);
  CHECK(u.shape() == "(3×4)");
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t c = 0; c < 4; ++c) {
      const double expected = replay.uniform(-2.0, 3.0);
      CHECK(u(r, c) == expected);
      CHECK(u(r, c) >= -2.0);
      CHECK(u(r, c) < 3.0);
    }

  const Matrix g = Matrix::normal(2, 5, rng, 10.0, 0.5);
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t c = 0; c < 5; ++c) CHECK(g(r, c) == replay.normal(10.0, 0.5));
  // The generator moved on: the next draw is the same for both.
  CHECK(rng.uniform() == replay.uniform());

  // The same seed gives the same matrix; another seed does not.
  Rng a(7), b(7), other(8);
  CHECK(Matrix::normal(4, 4, a, 0, 1) == Matrix::normal(4, 4, b, 0, 1));
  Rng a2(7);
  CHECK(Matrix::normal(4, 4, a2, 0, 1) != Matrix::normal(4, 4, other, 0, 1));
}

// ---- element access -----------------------------------------------------------------------------

TEST_CASE("access: at() is bounds-checked, operator() is not, both read and write", "[matrix]") {
  Matrix m{{1, 2, 3}, {4, 5, 6}};
  CHECK(m(1, 2) == 6);
  CHECK(m.at(0, 1) == 2);
  m(0, 0) = 10;
  m.at(1, 1) = 50;
  CHECK(m == Matrix{{10, 2, 3}, {4, 50, 6}});
  CHECK_THROWS_MATCHES(m.at(2, 0), std::out_of_range, Message("Matrix::at(2, 0): out of range for (2×3)"));
  CHECK_THROWS_MATCHES(m.at(0, 3), std::out_of_range, Message("Matrix::at(0, 3): out of range for (2×3)"));
  const Matrix& cm = m;
  CHECK(cm.at(1, 2) == 6);
  CHECK(cm(1, 1) == 50);
  CHECK_THROWS_MATCHES(cm.at(5, 5), std::out_of_range, Message("Matrix::at(5, 5): out of range for (2×3)"));
  CHECK_THROWS_AS(Matrix().at(0, 0), std::out_of_range);
}

TEST_CASE("access: row() and col() copy one row or column out", "[matrix]") {
  const Matrix m{{1, 2, 3}, {4, 5, 6}};
  CHECK(m.row(1) == Matrix{{4, 5, 6}});
  CHECK(m.col(2) == Matrix{{3}, {6}});
  CHECK_THROWS_MATCHES(m.row(2), std::out_of_range, Message("Matrix::row(2): out of range for (2×3)"));
  CHECK_THROWS_MATCHES(m.col(3), std::out_of_range, Message("Matrix::col(3): out of range for (2×3)"));
}

TEST_CASE("fill and reshaped", "[matrix]") {
  Matrix m(2, 3);
  m.fill(-4);
  CHECK(m == Matrix{{-4, -4, -4}, {-4, -4, -4}});

  const Matrix a{{1, 2, 3}, {4, 5, 6}};
  CHECK(a.reshaped(3, 2) == Matrix{{1, 2}, {3, 4}, {5, 6}});
  CHECK(a.reshaped(1, 6) == Matrix{{1, 2, 3, 4, 5, 6}});
  CHECK(a.reshaped(6, 1) == Matrix{{1}, {2}, {3}, {4}, {5}, {6}});
  CHECK(a == Matrix{{1, 2, 3}, {4, 5, 6}});  // the original is untouched
  CHECK_THROWS_MATCHES(a.reshaped(4, 2), ShapeError,
                       Message("reshape: (2×3) → (4×2): 6 elements cannot become 8"));
}

// ---- element-wise -------------------------------------------------------------------------------

TEST_CASE("element-wise: + and − of two matrices, in place and not", "[matrix]") {
  const Matrix a{{1, 2}, {3, 4}}, b{{10, 20}, {30, 40}};
  CHECK(a + b == Matrix{{11, 22}, {33, 44}});
  CHECK(b - a == Matrix{{9, 18}, {27, 36}});
  Matrix c = a;
  c += b;
  CHECK(c == Matrix{{11, 22}, {33, 44}});
  c -= a;
  CHECK(c == b);
  c += c;  // the same matrix on both sides
  CHECK(c == Matrix{{20, 40}, {60, 80}});
  CHECK(a == Matrix{{1, 2}, {3, 4}});  // the operands of + are untouched

  const Matrix wide(2, 3);
  CHECK_THROWS_MATCHES(a + wide, ShapeError, Message("add: (2×2) + (2×3): shapes differ"));
  CHECK_THROWS_MATCHES(a - wide, ShapeError, Message("subtract: (2×2) − (2×3): shapes differ"));
  Matrix d = a;
  CHECK_THROWS_MATCHES(d += wide, ShapeError, Message("add: (2×2) + (2×3): shapes differ"));
  CHECK_THROWS_MATCHES(d -= wide, ShapeError, Message("subtract: (2×2) − (2×3): shapes differ"));
  CHECK(d == a);  // a refused operation changes nothing
  // No implicit broadcasting: a row vector is not added to every row.
  CHECK_THROWS_AS(a + Matrix::row_vector({1, 2}), ShapeError);
}

TEST_CASE("element-wise: scalar +, −, ×, ÷ on either side and negation", "[matrix]") {
  const Matrix a{{1, 2}, {-3, 4}};
  CHECK(a + 1 == Matrix{{2, 3}, {-2, 5}});
  CHECK(1 + a == Matrix{{2, 3}, {-2, 5}});
  CHECK(a - 1 == Matrix{{0, 1}, {-4, 3}});
  CHECK(10 - a == Matrix{{9, 8}, {13, 6}});  // s − a, element-wise
  CHECK(a * 2 == Matrix{{2, 4}, {-6, 8}});
  CHECK(2 * a == Matrix{{2, 4}, {-6, 8}});
  CHECK(a / 4 == Matrix{{0.25, 0.5}, {-0.75, 1}});
  CHECK(-a == Matrix{{-1, -2}, {3, -4}});
  Matrix b = a;
  b += 1;
  CHECK(b == Matrix{{2, 3}, {-2, 5}});
  b -= 2;
  CHECK(b == Matrix{{0, 1}, {-4, 3}});
  b *= -1;
  CHECK(b == Matrix{{0, -1}, {4, -3}});
  b /= 2;
  CHECK(b == Matrix{{0, -0.5}, {2, -1.5}});
  // Division by zero is not hidden: it gives ±Inf (and 0/0 NaN), which require_finite reports.
  const Matrix q = Matrix{{1, -1, 0}} / 0.0;
  CHECK(q(0, 0) == kInf);
  CHECK(q(0, 1) == -kInf);
  CHECK(std::isnan(q(0, 2)));
}

TEST_CASE("element-wise: axpy adds alpha times another matrix", "[matrix]") {
  Matrix theta{{1, 2}, {3, 4}};
  const Matrix dtheta{{10, -10}, {0.5, 2}};
  theta.axpy(-0.1, dtheta);  // θ ← θ − η·dθ with η = 0.1
  CHECK(theta(0, 0) == 1 + -0.1 * 10);
  CHECK(theta(0, 1) == 2 + -0.1 * -10);
  CHECK(theta(1, 0) == 3 + -0.1 * 0.5);
  CHECK(theta(1, 1) == 4 + -0.1 * 2);
  Matrix x{{1, 2}};
  CHECK(x.axpy(2, x) == Matrix{{3, 6}});  // x + 2x, the same matrix on both sides
  CHECK_THROWS_MATCHES(theta.axpy(1, Matrix(2, 1)), ShapeError,
                       Message("axpy: (2×2) + α·(2×1): shapes differ"));
}

TEST_CASE("element-wise: apply returns a new matrix, apply_inplace changes this one", "[matrix]") {
  const Matrix a{{-1, 0}, {2, -3}};
  const Matrix relu = a.apply([](Scalar x) { return x > 0 ? x : 0; });
  CHECK(relu == Matrix{{0, 0}, {2, 0}});
  CHECK(a == Matrix{{-1, 0}, {2, -3}});
  Matrix b = a;
  Matrix& same = b.apply_inplace([](Scalar x) { return x * x; });
  CHECK(&same == &b);
  CHECK(b == Matrix{{1, 0}, {4, 9}});
  // The function sees the elements in row-major order.
  std::vector<Scalar> seen;
  a.apply([&](Scalar x) {
    seen.push_back(x);
    return x;
  });
  CHECK(seen == std::vector<Scalar>{-1, 0, 2, -3});
}

TEST_CASE("element-wise: hadamard product", "[matrix]") {
  const Matrix a{{1, 2, 3}}, b{{4, -5, 0.5}};
  CHECK(hadamard(a, b) == Matrix{{4, -10, 1.5}});
  Matrix c = a;
  CHECK(&hadamard_inplace(c, b) == &c);
  CHECK(c == Matrix{{4, -10, 1.5}});
  hadamard_inplace(c, c);  // the same matrix on both sides squares it
  CHECK(c == Matrix{{16, 100, 2.25}});
  CHECK_THROWS_MATCHES(hadamard(a, Matrix(3, 1)), ShapeError,
                       Message("hadamard: (1×3) ⊙ (3×1): shapes differ"));
  CHECK_THROWS_MATCHES(hadamard_inplace(c, Matrix(1, 2)), ShapeError,
                       Message("hadamard: (1×3) ⊙ (1×2): shapes differ"));
}

// ---- products -----------------------------------------------------------------------------------

TEST_CASE("products: small values worked out by hand", "[matrix]") {
  const Matrix a{{1, 2}, {3, 4}}, b{{5, 6}, {7, 8}};
  // [1 2; 3 4]·[5 6; 7 8] = [1·5+2·7  1·6+2·8; 3·5+4·7  3·6+4·8]
  CHECK(matmul(a, b) == Matrix{{19, 22}, {43, 50}});
  // A·Bᵀ = [1·5+2·6  1·7+2·8; 3·5+4·6  3·7+4·8]
  CHECK(matmul_abt(a, b) == Matrix{{17, 23}, {39, 53}});
  // Aᵀ·B = [1·5+3·7  1·6+3·8; 2·5+4·7  2·6+4·8]
  CHECK(matmul_atb(a, b) == Matrix{{26, 30}, {38, 44}});
  // Non-square: (2×3)·(3×1), (1×3)·(2×3)ᵀ, (2×1)ᵀ·(2×3).
  const Matrix x{{1, 0, -1}, {2, 1, 0}};
  CHECK(matmul(x, Matrix{{1}, {2}, {3}}) == Matrix{{-2}, {4}});
  CHECK(matmul_abt(Matrix{{1, 2, 3}}, x) == Matrix{{-2, 4}});
  CHECK(matmul_atb(Matrix{{1}, {2}}, x) == Matrix{{5, 2, -1}});
  CHECK(matmul(Matrix::identity(3), Matrix{{1, 2}, {3, 4}, {5, 6}}) == Matrix{{1, 2}, {3, 4}, {5, 6}});
}

TEST_CASE("products: an empty inner dimension gives zeros, an empty side an empty result", "[matrix]") {
  CHECK(matmul(Matrix(2, 0), Matrix(0, 3)) == Matrix::zeros(2, 3));
  CHECK(matmul_abt(Matrix(2, 0), Matrix(3, 0)) == Matrix::zeros(2, 3));
  CHECK(matmul_atb(Matrix(0, 2), Matrix(0, 3)) == Matrix::zeros(2, 3));
  CHECK(matmul(Matrix(0, 4), Matrix(4, 3)).shape() == "(0×3)");
  CHECK(matmul(Matrix(2, 4), Matrix(4, 0)).shape() == "(2×0)");
}

TEST_CASE("products: mismatched inner dimensions name the operation and both shapes", "[matrix]") {
  CHECK_THROWS_MATCHES(matmul(Matrix(32, 784), Matrix(128, 10)), ShapeError,
                       Message("matmul: (32×784)·(128×10): inner dimensions 784 ≠ 128"));
  CHECK_THROWS_MATCHES(matmul_abt(Matrix(32, 784), Matrix(128, 10)), ShapeError,
                       Message("matmul_abt: (32×784)·(128×10)ᵀ: inner dimensions 784 ≠ 10"));
  CHECK_THROWS_MATCHES(matmul_atb(Matrix(32, 128), Matrix(64, 784)), ShapeError,
                       Message("matmul_atb: (32×128)ᵀ·(64×784): inner dimensions 32 ≠ 64"));
  Matrix out;
  CHECK_THROWS_MATCHES(matmul_into(out, Matrix(2, 3), Matrix(2, 3)), ShapeError,
                       Message("matmul: (2×3)·(2×3): inner dimensions 3 ≠ 2"));
  CHECK_THROWS_MATCHES(matmul_abt_into(out, Matrix(2, 3), Matrix(3, 2)), ShapeError,
                       Message("matmul_abt: (2×3)·(3×2)ᵀ: inner dimensions 3 ≠ 2"));
  CHECK_THROWS_MATCHES(matmul_atb_into(out, Matrix(2, 3), Matrix(3, 2)), ShapeError,
                       Message("matmul_atb: (2×3)ᵀ·(3×2): inner dimensions 2 ≠ 3"));
  CHECK(out.empty());  // nothing was written
}

TEST_CASE("blocked products equal the textbook triple loop exactly", "[matrix]") {
  Rng rng(3);
  // Small, odd, prime and block-straddling sizes, so that every edge of the tiling and blocking is
  // exercised: partial tiles, several blocks of k (> 256), of rows (> 96) and of columns (> 2048).
  for (auto [n, k, m] : {std::tuple{1, 1, 1}, {5, 7, 3}, {33, 300, 270}, {9, 130, 513}, {1, 1000, 1},
                         {17, 1, 19}, {67, 259, 131}, {4, 8, 4}, {128, 256, 64}, {3, 600, 1100},
                         {97, 257, 35}, {2, 300, 2100}}) {
    const Matrix a = Matrix::uniform(n, k, rng, -1, 1), b = Matrix::uniform(k, m, rng, -1, 1);
    const Matrix naive = naive_ab(a, b);
    CHECK(matmul(a, b) == naive);
    CHECK(matmul_abt(a, transpose(b)) == naive);
    CHECK(matmul_atb(transpose(a), b) == naive);
  }
}

TEST_CASE("products: NaN, Inf and signed zeros come out exactly as from the textbook loop", "[matrix]") {
  Rng rng(11);
  Matrix a = Matrix::uniform(13, 21, rng, -1, 1), b = Matrix::uniform(21, 9, rng, -1, 1);
  a(2, 5) = kNaN;
  a(7, 0) = kInf;
  b(3, 4) = -kInf;
  b(20, 8) = -0.0;
  a(12, 20) = 0.0;
  const Matrix naive = naive_ab(a, b);
  CHECK(same_bits(matmul(a, b), naive));
  CHECK(same_bits(matmul_abt(a, transpose(b)), naive));
  CHECK(same_bits(matmul_atb(transpose(a), b), naive));
}

TEST_CASE("products: the _into forms resize the output, or reuse it without allocating", "[matrix]") {
  Rng rng(5);
  const Matrix a = Matrix::uniform(6, 4, rng, -1, 1), b = Matrix::uniform(4, 5, rng, -1, 1);
  const Matrix bt = transpose(b), at = transpose(a);
  const Matrix expected = naive_ab(a, b);

  Matrix out(1, 1, 99.0);  // wrong shape: replaced
  matmul_into(out, a, b);
  CHECK(out == expected);
  const Scalar* storage = out.data();
  out.fill(123.0);  // right shape, stale values: overwritten, same storage
  matmul_into(out, a, b);
  CHECK(out == expected);
  CHECK(out.data() == storage);
  matmul_abt_into(out, a, bt);
  CHECK(out == expected);
  CHECK(out.data() == storage);
  matmul_atb_into(out, at, b);
  CHECK(out == expected);
  CHECK(out.data() == storage);
}

TEST_CASE("products: accumulate adds the product to the output", "[matrix]") {
  const Matrix a{{1, 2}, {3, 4}}, b{{5, 6}, {7, 8}};
  Matrix out{{100, 200}, {300, 400}};
  matmul_into(out, a, b, true);  // + [19 22; 43 50]
  CHECK(out == Matrix{{119, 222}, {343, 450}});
  matmul_abt_into(out, a, b, true);  // + [17 23; 39 53]
  CHECK(out == Matrix{{136, 245}, {382, 503}});
  matmul_atb_into(out, a, b, true);  // + [26 30; 38 44]
  CHECK(out == Matrix{{162, 275}, {420, 547}});
}

TEST_CASE("products: accumulate gives exactly out + the product, as out += matmul(a, b) would", "[matrix]") {
  // Gradients accumulate: dW += dZᵀ·X over mini-batches. The product is summed on its own, in k
  // order, and then added, so accumulating gives the same bits as adding the product separately.
  Rng rng(21);
  for (auto [n, k, m] : {std::tuple{7, 300, 5}, {40, 50, 60}, {3, 2, 2}}) {
    const Matrix a = Matrix::uniform(n, k, rng, -1, 1), b = Matrix::uniform(k, m, rng, -1, 1);
    const Matrix start = Matrix::uniform(n, m, rng, -100, 100);
    const Matrix expected = start + naive_ab(a, b);
    Matrix out = start;
    matmul_into(out, a, b, true);
    CHECK(out == expected);
    out = start;
    matmul_abt_into(out, a, transpose(b), true);
    CHECK(out == expected);
    out = start;
    matmul_atb_into(out, transpose(a), b, true);
    CHECK(out == expected);
  }
}

TEST_CASE("products: accumulating into a wrong-shaped output is refused and changes nothing", "[matrix]") {
  const Matrix a(3, 4, 1.0), b(4, 2, 1.0);
  Matrix out{{7, 8, 9}};
  CHECK_THROWS_MATCHES(matmul_into(out, a, b, true), ShapeError,
                       Message("matmul: accumulating (3×4)·(4×2) = (3×2) into (1×3)"));
  CHECK_THROWS_MATCHES(matmul_abt_into(out, a, transpose(b), true), ShapeError,
                       Message("matmul_abt: accumulating (3×4)·(2×4)ᵀ = (3×2) into (1×3)"));
  CHECK_THROWS_MATCHES(matmul_atb_into(out, transpose(a), b, true), ShapeError,
                       Message("matmul_atb: accumulating (4×3)ᵀ·(4×2) = (3×2) into (1×3)"));
  CHECK(out == Matrix{{7, 8, 9}});
  Matrix empty;  // an empty output is a wrong shape too: accumulate never creates the output
  CHECK_THROWS_MATCHES(matmul_into(empty, a, b, true), ShapeError,
                       Message("matmul: accumulating (3×4)·(4×2) = (3×2) into (0×0)"));
  // Inner dimensions are checked first.
  CHECK_THROWS_MATCHES(matmul_into(out, a, a, true), ShapeError,
                       Message("matmul: (3×4)·(3×4): inner dimensions 4 ≠ 3"));
}

TEST_CASE("products: the output may be one of the inputs", "[matrix]") {
  Rng rng(8);
  const Matrix a0 = Matrix::uniform(5, 5, rng, -1, 1), b0 = Matrix::uniform(5, 5, rng, -1, 1);
  SECTION("A = A·B") {
    Matrix a = a0;
    matmul_into(a, a, b0);
    CHECK(a == naive_ab(a0, b0));
  }
  SECTION("B = A·B") {
    Matrix b = b0;
    matmul_into(b, a0, b);
    CHECK(b == naive_ab(a0, b0));
  }
  SECTION("A = A·A") {
    Matrix a = a0;
    matmul_into(a, a, a);
    CHECK(a == naive_ab(a0, a0));
  }
  SECTION("A = A·Bᵀ and B = A·Bᵀ") {
    Matrix a = a0, b = b0;
    matmul_abt_into(a, a, b0);
    CHECK(a == naive_abt(a0, b0));
    matmul_abt_into(b, a0, b);
    CHECK(b == naive_abt(a0, b0));
  }
  SECTION("A = Aᵀ·B and B = Aᵀ·B") {
    Matrix a = a0, b = b0;
    matmul_atb_into(a, a, b0);
    CHECK(a == naive_atb(a0, b0));
    matmul_atb_into(b, a0, b);
    CHECK(b == naive_atb(a0, b0));
  }
  SECTION("A += A·B, with the shape changing when not accumulating") {
    Matrix a = a0;
    matmul_into(a, a, b0, true);
    CHECK(a == a0 + naive_ab(a0, b0));
    Matrix tall = Matrix::uniform(5, 2, rng, -1, 1);
    const Matrix tall0 = tall;
    matmul_atb_into(tall, tall, a0);  // (5×2)ᵀ·(5×5) is (2×5)
    CHECK(tall == naive_atb(tall0, a0));
  }
}

TEST_CASE("transpose", "[matrix]") {
  CHECK(transpose(Matrix{{1, 2, 3}, {4, 5, 6}}) == Matrix{{1, 4}, {2, 5}, {3, 6}});
  CHECK(transpose(Matrix::row_vector({1, 2})) == Matrix::column_vector({1, 2}));
  CHECK(transpose(Matrix(0, 3)).shape() == "(3×0)");
  // Larger than one 32×32 tile, with ragged edges.
  Rng rng(2);
  const Matrix a = Matrix::uniform(45, 70, rng, -1, 1);
  const Matrix t = transpose(a);
  CHECK(t.shape() == "(70×45)");
  bool all_match = true;
  for (std::size_t r = 0; r < a.rows(); ++r)
    for (std::size_t c = 0; c < a.cols(); ++c) all_match = all_match && t(c, r) == a(r, c);
  CHECK(all_match);
  CHECK(transpose(t) == a);
}

// ---- broadcasting -------------------------------------------------------------------------------

TEST_CASE("add_row_vector adds the bias row to every row", "[matrix]") {
  const Matrix z{{1, 2, 3}, {4, 5, 6}};
  const Matrix b = Matrix::row_vector({10, 20, 30});
  CHECK(add_row_vector(z, b) == Matrix{{11, 22, 33}, {14, 25, 36}});
  Matrix y = z;
  CHECK(&add_row_vector_inplace(y, b) == &y);
  CHECK(y == Matrix{{11, 22, 33}, {14, 25, 36}});
  CHECK_THROWS_MATCHES(add_row_vector(z, Matrix::row_vector({1, 2})), ShapeError,
                       Message("add_row_vector: (2×3) + (1×2): expected a row vector (1×3)"));
  CHECK_THROWS_MATCHES(add_row_vector_inplace(y, Matrix::column_vector({1, 2, 3})), ShapeError,
                       Message("add_row_vector: (2×3) + (3×1): expected a row vector (1×3)"));
}

// ---- reductions ---------------------------------------------------------------------------------

TEST_CASE("reductions: sum, mean, max, min of all elements", "[matrix]") {
  const Matrix a{{1, -2, 3}, {4, 5, -6}};
  CHECK(sum(a) == 5);
  CHECK(mean(a) == Approx(5.0 / 6.0));
  CHECK(max(a) == 5);
  CHECK(min(a) == -6);
  CHECK(sum(Matrix{{0.5}}) == 0.5);
}

TEST_CASE("reductions: on an empty matrix sums are 0 and the rest are refused", "[matrix]") {
  const Matrix empty, no_rows(0, 3), no_cols(2, 0);
  CHECK(sum(empty) == 0);
  CHECK(squared_norm(empty) == 0);
  CHECK(norm(empty) == 0);
  CHECK(dot(empty, empty) == 0);
  CHECK_THROWS_MATCHES(mean(empty), ShapeError, Message("mean: (0×0): the matrix is empty"));
  CHECK_THROWS_MATCHES(max(no_rows), ShapeError, Message("max: (0×3): the matrix is empty"));
  CHECK_THROWS_MATCHES(min(no_cols), ShapeError, Message("min: (2×0): the matrix is empty"));

  // Σ over no rows is a row of zeros; Σ over no columns a column of zeros.
  CHECK(sum_rows(no_rows) == Matrix::zeros(1, 3));
  CHECK(sum_cols(no_cols) == Matrix::zeros(2, 1));
  CHECK_THROWS_MATCHES(mean_rows(no_rows), ShapeError, Message("mean_rows: (0×3): no rows to average"));
  CHECK_THROWS_MATCHES(max_rows(no_rows), ShapeError, Message("max_rows: (0×3): no rows"));
  CHECK_THROWS_MATCHES(mean_cols(no_cols), ShapeError, Message("mean_cols: (2×0): no columns to average"));
  CHECK_THROWS_MATCHES(max_cols(no_cols), ShapeError, Message("max_cols: (2×0): no columns"));
  CHECK_THROWS_MATCHES(argmax_cols(no_cols), ShapeError, Message("argmax_cols: (2×0): no columns"));
  CHECK_THROWS_MATCHES(argmax_rows(no_rows), ShapeError, Message("argmax_rows: (0×3): no rows"));
  // Collapsing the non-empty side of an empty matrix leaves an empty result, not an error.
  CHECK(sum_rows(no_cols).shape() == "(1×0)");
  CHECK(sum_cols(no_rows).shape() == "(0×1)");
  CHECK(max_cols(no_rows).shape() == "(0×1)");
  CHECK(argmax_cols(no_rows).empty());
  CHECK(argmax_rows(no_cols).empty());
}

TEST_CASE("reductions: over rows (one row out) and over columns (one column out)", "[matrix]") {
  const Matrix a{{1, 8, 3}, {4, 5, 9}};
  CHECK(sum_rows(a) == Matrix{{5, 13, 12}});
  CHECK(mean_rows(a) == Matrix{{2.5, 6.5, 6}});
  CHECK(max_rows(a) == Matrix{{4, 8, 9}});
  CHECK(sum_cols(a) == Matrix{{12}, {18}});
  CHECK(mean_cols(a) == Matrix{{4}, {6}});
  CHECK(max_cols(a) == Matrix{{8}, {9}});
  CHECK(max_rows(Matrix{{-3, -1}}) == Matrix{{-3, -1}});  // a single row is its own maximum
}

TEST_CASE("reductions: argmax per row and per column, ties go to the first", "[matrix]") {
  const Matrix logits{{0.1, 0.7, 0.2}, {0.5, 0.5, 0.1}, {-1, -2, -1}, {3, 3, 3}};
  CHECK(argmax_cols(logits) == std::vector<std::size_t>{1, 0, 0, 0});
  const Matrix a{{1, 9, 4}, {7, 9, 4}, {7, 2, 4}};
  CHECK(argmax_rows(a) == std::vector<std::size_t>{1, 0, 0});
  CHECK(argmax_cols(Matrix{{-5}}) == std::vector<std::size_t>{0});
}

TEST_CASE("reductions: a NaN is never hidden by max, min or argmax", "[matrix]") {
  // Wherever the NaN stands, max and min are NaN and argmax points at the first NaN (numpy's rule).
  CHECK(std::isnan(max(Matrix{{kNaN, 1}})));
  CHECK(std::isnan(max(Matrix{{1, kNaN}})));
  CHECK(std::isnan(min(Matrix{{kNaN, 1}})));
  CHECK(std::isnan(min(Matrix{{1, kNaN}})));
  const Matrix r1 = max_rows(Matrix{{1, 2}, {kNaN, 0}}), r2 = max_rows(Matrix{{kNaN, 2}, {1, 0}});
  CHECK((std::isnan(r1(0, 0)) && r1(0, 1) == 2));
  CHECK((std::isnan(r2(0, 0)) && r2(0, 1) == 2));
  const Matrix c = max_cols(Matrix{{1, kNaN, 3}, {kNaN, 5, 0}});
  CHECK((std::isnan(c(0, 0)) && std::isnan(c(1, 0))));
  const Matrix logits{{1, kNaN, 3, kNaN}, {kNaN, 5, 0, 1}, {0, 2, 1, 0}};
  CHECK(argmax_cols(logits) == std::vector<std::size_t>{1, 0, 1});
  CHECK(argmax_rows(Matrix{{1, 9}, {kNaN, 0}, {kNaN, kNaN}}) == std::vector<std::size_t>{1, 2});
  // Infinities are ordinary numbers here.
  CHECK(max(Matrix{{-kInf, kInf}}) == kInf);
  CHECK(min(Matrix{{-kInf, kInf}}) == -kInf);
  CHECK(argmax_cols(Matrix{{-kInf, -kInf}}) == std::vector<std::size_t>{0});
}

TEST_CASE("reductions: squared_norm, norm and dot", "[matrix]") {
  const Matrix a{{3, -4}}, b{{2, 0.5}};
  CHECK(squared_norm(a) == 25);
  CHECK(norm(a) == 5);
  CHECK(dot(a, b) == 3 * 2 + -4 * 0.5);
  CHECK(dot(a, a) == squared_norm(a));
  CHECK(norm(Matrix{{1, 2}, {2, 4}}) == 5);  // √(1 + 4 + 4 + 16)
  CHECK_THROWS_MATCHES(dot(a, transpose(b)), ShapeError, Message("dot: (1×2) · (2×1): shapes differ"));
}

// ---- selection ----------------------------------------------------------------------------------

TEST_CASE("gather_rows picks rows in the given order, repeats allowed", "[matrix]") {
  const Matrix a{{1, 2}, {3, 4}, {5, 6}};
  CHECK(gather_rows(a, {2, 0, 2}) == Matrix{{5, 6}, {1, 2}, {5, 6}});
  CHECK(gather_rows(a, {}).shape() == "(0×2)");
  Matrix out(3, 2);
  const Scalar* storage = out.data();
  gather_rows_into(out, a, {1, 1, 0});
  CHECK(out == Matrix{{3, 4}, {3, 4}, {1, 2}});
  CHECK(out.data() == storage);  // the right shape is reused
  gather_rows_into(out, a, {0});
  CHECK(out == Matrix{{1, 2}});
  CHECK_THROWS_MATCHES(gather_rows(a, {0, 3}), ShapeError,
                       Message("gather_rows: (3×2): index 3 (position 1) is out of range"));
}

TEST_CASE("gather_rows_into: the output may be the input, and a bad index writes nothing", "[matrix]") {
  const Matrix original{{1, 2}, {3, 4}, {5, 6}};
  Matrix a = original;
  gather_rows_into(a, a, {2, 0, 1});  // same shape: rows must not be overwritten before they are read
  CHECK(a == Matrix{{5, 6}, {1, 2}, {3, 4}});
  Matrix b = original;
  gather_rows_into(b, b, {1});  // new shape: the input must not be discarded before it is read
  CHECK(b == Matrix{{3, 4}});

  Matrix out{{9, 9}, {9, 9}};
  CHECK_THROWS_MATCHES(gather_rows_into(out, original, {0, 7}), ShapeError,
                       Message("gather_rows: (3×2): index 7 (position 1) is out of range"));
  CHECK(out == Matrix{{9, 9}, {9, 9}});  // not half-written
  Matrix resized(5, 5, 9.0);
  CHECK_THROWS_AS(gather_rows_into(resized, original, {3}), ShapeError);
  CHECK(resized == Matrix(5, 5, 9.0));
}

TEST_CASE("slice_rows takes consecutive rows", "[matrix]") {
  const Matrix a{{1, 2}, {3, 4}, {5, 6}};
  CHECK(slice_rows(a, 1, 2) == Matrix{{3, 4}, {5, 6}});
  CHECK(slice_rows(a, 0, 3) == a);
  CHECK(slice_rows(a, 3, 0).shape() == "(0×2)");
  CHECK_THROWS_MATCHES(slice_rows(a, 2, 2), ShapeError,
                       Message("slice_rows: (3×2): rows [2, 4) are out of range"));
  CHECK_THROWS_MATCHES(slice_rows(a, 4, 0), ShapeError,
                       Message("slice_rows: (3×2): rows [4, 4) are out of range"));
}

TEST_CASE("hconcat and vconcat", "[matrix]") {
  const Matrix a{{1, 2}, {3, 4}}, col{{9}, {8}}, row{{7, 6}};
  CHECK(hconcat(a, col) == Matrix{{1, 2, 9}, {3, 4, 8}});
  CHECK(hconcat(col, a) == Matrix{{9, 1, 2}, {8, 3, 4}});
  CHECK(vconcat(a, row) == Matrix{{1, 2}, {3, 4}, {7, 6}});
  CHECK(vconcat(row, a) == Matrix{{7, 6}, {1, 2}, {3, 4}});
  CHECK(hconcat(a, Matrix(2, 0)) == a);
  CHECK(vconcat(Matrix(0, 2), a) == a);
  CHECK_THROWS_MATCHES(hconcat(a, row), ShapeError, Message("hconcat: (2×2) | (1×2): row counts 2 ≠ 1"));
  CHECK_THROWS_MATCHES(vconcat(a, col), ShapeError, Message("vconcat: (2×2) ; (2×1): column counts 2 ≠ 1"));
}

// ---- comparison and checks ----------------------------------------------------------------------

TEST_CASE("approx_equal: |a − b| ≤ atol + rtol·|b|, same shape, NaN never equal", "[matrix]") {
  const Matrix b{{100, -1}};
  CHECK(approx_equal(b, b));
  // rtol alone: the bound is 0.01·100 = 1 for the first element, 0.01 for the second.
  CHECK(approx_equal(Matrix{{101, -1}}, b, 0.01, 0));
  CHECK_FALSE(approx_equal(Matrix{{101.5, -1}}, b, 0.01, 0));
  CHECK_FALSE(approx_equal(Matrix{{100, -1.02}}, b, 0.01, 0));
  // atol alone.
  CHECK(approx_equal(Matrix{{100.25, -1.25}}, b, 0, 0.25));
  CHECK_FALSE(approx_equal(Matrix{{100.5, -1}}, b, 0, 0.25));
  // Both: 0.5 + 0.01·100 = 1.5.
  CHECK(approx_equal(Matrix{{101.5, -1}}, b, 0.01, 0.5));
  CHECK_FALSE(approx_equal(Matrix{{101.75, -1}}, b, 0.01, 0.5));
  // The defaults are tight: one part in 10⁹.
  CHECK(approx_equal(Matrix{{100 * (1 + 1e-10), -1}}, b));
  CHECK_FALSE(approx_equal(Matrix{{100 * (1 + 1e-8), -1}}, b));

  const Matrix nan{{kNaN, -1}};
  CHECK_FALSE(approx_equal(nan, nan));
  CHECK_FALSE(approx_equal(nan, b, 1e9, 1e9));
  CHECK_FALSE(approx_equal(b, nan, 1e9, 1e9));

  CHECK_FALSE(approx_equal(Matrix(2, 3), Matrix(3, 2)));
  CHECK_FALSE(approx_equal(Matrix(1, 2), Matrix(2, 1), 1e9, 1e9));
  CHECK(approx_equal(Matrix(), Matrix()));
}

TEST_CASE("approx_equal: infinities are close only to the same infinity", "[matrix]") {
  // numpy's isclose rule: inf ≈ inf and −inf ≈ −inf, but never a finite number, whatever the
  // tolerances (here atol + rtol·|b| would overflow to inf and let inf through).
  const Matrix inf{{kInf, -kInf, 1}};
  CHECK(approx_equal(inf, inf));
  CHECK_FALSE(approx_equal(Matrix{{kInf}}, Matrix{{-kInf}}, 10, 10));
  CHECK_FALSE(approx_equal(Matrix{{kInf}}, Matrix{{1e308}}, 10, 0));
  CHECK_FALSE(approx_equal(Matrix{{1e308}}, Matrix{{kInf}}, 10, 0));
  CHECK_FALSE(approx_equal(Matrix{{-kInf}}, Matrix{{-1e308}}, 10, 0));
}

TEST_CASE("max_abs_diff", "[matrix]") {
  CHECK(max_abs_diff(Matrix{{1, 5}, {-3, 2}}, Matrix{{1.5, 5}, {0, 2}}) == 3);
  CHECK(max_abs_diff(Matrix{{1}}, Matrix{{1}}) == 0);
  CHECK(max_abs_diff(Matrix(), Matrix()) == 0);
  CHECK(std::isnan(max_abs_diff(Matrix{{kNaN, 100}}, Matrix{{0, 0}})));
  CHECK(std::isnan(max_abs_diff(Matrix{{100, kNaN}}, Matrix{{0, 0}})));  // NaN wins wherever it is
  CHECK(max_abs_diff(Matrix{{kInf}}, Matrix{{0}}) == kInf);
  CHECK_THROWS_MATCHES(max_abs_diff(Matrix(1, 2), Matrix(2, 1)), ShapeError,
                       Message("max_abs_diff: (1×2) − (2×1): shapes differ"));
}

TEST_CASE("all_finite and require_finite find NaN and ±Inf", "[matrix]") {
  CHECK(all_finite(Matrix{{1, -1e308}, {0, 4.9e-324}}));
  CHECK(all_finite(Matrix()));
  CHECK_FALSE(all_finite(Matrix{{1, kNaN}}));
  CHECK_FALSE(all_finite(Matrix{{kInf, 1}}));
  CHECK_FALSE(all_finite(Matrix{{1}, {-kInf}}));

  CHECK_NOTHROW(require_finite(Matrix{{1, 2}}, "weights"));
  CHECK_THROWS_MATCHES(require_finite(Matrix{{1, 2}, {kNaN, 4}}, "layer 2 weights"), NonFiniteError,
                       Message("layer 2 weights: element (1, 0) of (2×2) is nan"));
  // The first non-finite element in row-major order is the one reported.
  CHECK_THROWS_MATCHES(require_finite(Matrix{{1, kInf, kNaN}}, "dL/dz"), NonFiniteError,
                       Message("dL/dz: element (0, 1) of (1×3) is inf"));
  CHECK_THROWS_MATCHES(require_finite(Matrix{{0, 0}, {0, -kInf}}, "loss"), NonFiniteError,
                       Message("loss: element (1, 1) of (2×2) is -inf"));
}

// ---- printing -----------------------------------------------------------------------------------

TEST_CASE("to_string: aligned rows, precision, and the empty matrix", "[matrix]") {
  // Cells are right-aligned to the widest ("-2.5", four characters), two spaces apart.
  CHECK(to_string(Matrix{{1, -2.5}, {30, 4}}) == "[[   1  -2.5]\n [  30     4]]");
  CHECK(to_string(Matrix{{3.14159265, 2.71828183}}, 3) == "[[3.14  2.72]]");
  CHECK(to_string(Matrix{{0.000125}}) == "[[0.000125]]");
  CHECK(to_string(Matrix{{1e-7, kNaN, -kInf}}) == "[[1e-07    nan   -inf]]");
  CHECK(to_string(Matrix{{1}, {2}}) == "[[1]\n [2]]");
  CHECK(to_string(Matrix()) == "[] (0×0)");
  CHECK(to_string(Matrix(0, 3)) == "[] (0×3)");
}

TEST_CASE("to_string: a large matrix shows its first and last six rows and columns", "[matrix]") {
  Matrix m(20, 30);
  for (std::size_t r = 0; r < 20; ++r)
    for (std::size_t c = 0; c < 30; ++c) m(r, c) = static_cast<Scalar>(r * 100 + c);
  // Shown: rows 0–5 and 14–19, columns 0–5 and 24–29, "…" between; every cell 4 wide ("1929").
  const std::vector<std::size_t> rows{0, 1, 2, 3, 4, 5, 14, 15, 16, 17, 18, 19};
  const std::vector<std::size_t> cols{0, 1, 2, 3, 4, 5, 24, 25, 26, 27, 28, 29};
  std::vector<std::string> lines;
  auto line_of = [&](auto cell) {
    std::string line;
    for (std::size_t j = 0; j < cols.size(); ++j) {
      if (j == 6) line += "     …";
      line += (j == 0 ? "" : "  ") + cell(cols[j]);
    }
    return line;
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == 6) lines.push_back(line_of([](std::size_t) { return std::string("   …"); }));
    lines.push_back(line_of([&](std::size_t c) { return fmt::format("{:>4}", rows[i] * 100 + c); }));
  }
  std::string expected;
  for (std::size_t i = 0; i < lines.size(); ++i)
    expected += (i == 0 ? "[[" : " [") + lines[i] + (i + 1 == lines.size() ? "]]" : "]\n");
  CHECK(to_string(m) == expected);

  // Exactly twelve rows and columns still fit without eliding.
  const std::string twelve = to_string(Matrix(12, 12, 1.0));
  CHECK(twelve.find("…") == std::string::npos);
  CHECK(std::count(twelve.begin(), twelve.end(), '\n') == 11);
  const std::string thirteen = to_string(Matrix(13, 1, 1.0));
  CHECK(std::count(thirteen.begin(), thirteen.end(), '\n') == 12);  // 6 + "…" + 6 lines
  CHECK(thirteen.find("…") != std::string::npos);
}

TEST_CASE("fmt formatter: {} and {:.N} print as to_string does", "[matrix]") {
  const Matrix m{{3.14159265, -2}, {0.5, 100}};
  CHECK(fmt::format("{}", m) == to_string(m));
  CHECK(fmt::format("{:.3}", m) == "[[3.14    -2]\n [ 0.5   100]]");
  CHECK(fmt::format("{:.1}", Matrix{{0.26}}) == "[[0.3]]");
  CHECK(fmt::format("W = {:.2}", Matrix{{1.5}}) == "W = [[1.5]]");
  CHECK_THROWS_MATCHES(fmt::format(fmt::runtime("{:x}"), m), fmt::format_error,
                       Message("glassbox::Matrix: format is {} or {:.N}"));
}

TEST_CASE("equality is exact: same shape and the same values", "[matrix]") {
  CHECK(Matrix{{1, 2}} == Matrix{{1, 2}});
  CHECK(Matrix{{1, 2}} != Matrix{{1, 2 + 1e-15}});
  CHECK(Matrix{{1, 2}} != Matrix{{1}, {2}});  // same values, another shape
  CHECK(Matrix(2, 0) != Matrix(0, 2));
}
