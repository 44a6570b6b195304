// Tests for glassbox/data/dataset.hpp: iris loading and its error messages (fixtures in
// tests/data/csv/), the stratified split, the standardizer and the target encodings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <string>

#include "glassbox/data/dataset.hpp"
#include "glassbox/core/error.hpp"
#include "glassbox/core/random.hpp"

using namespace glassbox;

namespace {
const std::string kIris = GLASSBOX_SOURCE_DIR "/data/iris.csv";
std::string fixture(const std::string& name) { return GLASSBOX_SOURCE_DIR "/tests/data/csv/" + name; }
}  // namespace

TEST_CASE("iris: 150 flowers, 4 measurements, 50 of each species", "[dataset]") {
  const Dataset d = load_iris(kIris);
  CHECK(d.X.rows() == 150);
  CHECK(d.features() == 4);
  CHECK(d.class_counts() == std::vector<std::size_t>{50, 50, 50});
  CHECK(d.class_names == std::vector<std::string>{"setosa", "versicolor", "virginica"});
  // Fisher's first flower (setosa) and the file's last (virginica).
  CHECK(d.X.row(0) == Matrix{{5.1, 3.5, 1.4, 0.2}});
  CHECK(d.labels.front() == 0);
  CHECK(d.X.row(149) == Matrix{{5.9, 3.0, 5.1, 1.8}});
  CHECK(d.labels.back() == 2);
  CHECK(d.ids[149] == 149);
  // The published column means of Fisher's data: 5.843, 3.057, 3.758, 1.199 cm.
  const Matrix mu = mean_rows(d.X);
  CHECK(mu(0, 0) == Approx(5.843333333).epsilon(1e-9));
  CHECK(mu(0, 1) == Approx(3.057333333).epsilon(1e-9));
  CHECK(mu(0, 2) == Approx(3.758).epsilon(1e-9));
  CHECK(mu(0, 3) == Approx(1.199333333).epsilon(1e-9));
}

TEST_CASE("iris: CRLF, quoted fields, padded numbers and trailing blank lines load", "[dataset]") {
  const Dataset d = load_iris(fixture("valid_crlf_quoted.csv"));
  REQUIRE(d.size() == 3);
  CHECK(d.X.row(1) == Matrix{{7.0, 3.2, 4.7, 1.4}});
  CHECK(d.labels == std::vector<std::size_t>{0, 1, 2});
}

TEST_CASE("iris: every kind of bad file is an InputError naming file:line:column", "[dataset]") {
  struct Case {
    std::string file, message;
  };
  // Lines and columns counted by hand in each fixture.
  const std::vector<Case> cases = {
      {"missing_column.csv", "missing_column.csv:3:19: expected 5 fields (sepal_length_cm,sepal_width_cm,"
                             "petal_length_cm,petal_width_cm,species), found 4: a field is missing"},
      {"extra_column.csv", "extra_column.csv:3:24: expected 5 fields"},
      {"extra_column.csv", "found 6: an extra field \"7\""},
      {"extra_column_decimal_comma.csv", "extra_column_decimal_comma.csv:3:17: expected 5 fields"},
      {"non_numeric.csv", "non_numeric.csv:3:9: petal_length_cm: expected a number, found \"abc\""},
      {"empty_value.csv", "empty_value.csv:3:5: sepal_width_cm: expected a number, found an empty field"},
      {"not_finite.csv", "not_finite.csv:2:9: petal_length_cm: expected a number, found \"nan\""},
      {"unknown_label.csv", "unknown_label.csv:3:17: species: unknown label \"Iris-virginica\"; expected one of "
                            "setosa, versicolor, virginica"},
      {"empty.csv", "empty.csv: the file is empty; expected a header line naming the columns"},
      {"header_only.csv", "header_only.csv:2:1: no data after the header"},
      {"wrong_header.csv", "wrong_header.csv:1:1: the header should be sepal_length_cm,sepal_width_cm,"
                           "petal_length_cm,petal_width_cm,species; expected column 1 named \"sepal_length_cm\", "
                           "found \"sepal_length\""},
      {"header_missing_column.csv", "header_missing_column.csv:1:62: the header should be"},
      {"header_missing_column.csv", "expected column 5 named \"species\", found the end of the line"},
      {"unclosed_quote.csv", "unclosed_quote.csv:2:17: a quoted field is never closed"},
      {"blank_line_inside.csv", "blank_line_inside.csv:3:1: a blank line between records"},
      {"no_such_file.csv", "no_such_file.csv: cannot open the file: No such file or directory (run from the "
                           "repository's top folder, or give the file's path with --data)"},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    CHECK_THROWS_AS(load_iris(fixture(c.file)), InputError);
    CHECK_THROWS_WITH(load_iris(fixture(c.file)), Catch::Contains(c.message));
  }
}

TEST_CASE("stratified split: a partition that keeps the class proportions", "[dataset]") {
  const Dataset d = load_iris(kIris);
  Rng rng(7);
  const Split s = stratified_split(d, 0.3, rng);
  CHECK(s.train.size() == 105);
  CHECK(s.test.size() == 45);
  std::set<std::size_t> all(s.train.begin(), s.train.end());
  all.insert(s.test.begin(), s.test.end());
  CHECK(all.size() == 150);  // disjoint and complete
  const Dataset test = subset(d, s.test);
  CHECK(test.class_counts() == std::vector<std::size_t>{15, 15, 15});  // round(0.3 · 50)
  // Shuffled after the split: the classes are interleaved, not in blocks.
  CHECK_FALSE(std::is_sorted(test.labels.begin(), test.labels.end()));
  // The same seed, the same split; another seed, another.
  Rng again(7), other(8);
  CHECK(stratified_split(d, 0.3, again).test == s.test);
  CHECK(stratified_split(d, 0.3, other).test != s.test);
  CHECK_THROWS_AS(stratified_split(d, 0.0, rng), std::invalid_argument);
  CHECK_THROWS_AS(stratified_split(d, 1.0, rng), std::invalid_argument);
}

TEST_CASE("subset and select_features keep rows, labels and ids together", "[dataset]") {
  const Dataset d = load_iris(kIris);
  const Dataset s = subset(d, {149, 0});
  CHECK(s.ids == std::vector<std::size_t>{149, 0});
  CHECK(s.labels == std::vector<std::size_t>{2, 0});
  const Dataset petals = select_features(s, {2, 3});
  CHECK(petals.X == Matrix{{5.1, 1.8}, {1.4, 0.2}});
  CHECK(petals.feature_names == std::vector<std::string>{"petal_length_cm", "petal_width_cm"});
  CHECK_THROWS_AS(select_features(s, {4}), ShapeError);
}

TEST_CASE("standardizer: fitted on one set and applied to another, a constant column is not divided by 0", "[dataset]") {
  // Column 0: μ = 3, σ = √((4 + 0 + 4)/3) = √(8/3). Column 1 is constant: centred, σ taken as 1.
  const Matrix train{{1, 10}, {3, 10}, {5, 10}};
  Standardizer st;
  CHECK_THROWS_AS(st.transform(train), std::logic_error);
  st.fit(train);
  CHECK(st.mean() == Matrix{{3, 10}});
  CHECK(st.scale()(0, 0) == Approx(std::sqrt(8.0 / 3.0)));
  CHECK(st.scale()(0, 1) == 1);
  CHECK(st.constant_columns() == std::vector<std::size_t>{1});
  const Matrix z = st.transform(train);
  CHECK(z(0, 0) == Approx(-2 / std::sqrt(8.0 / 3.0)));
  CHECK(z(1, 0) == 0);
  CHECK(z(2, 1) == 0);
  CHECK(all_finite(z));
  // Applied to other data with the training set's μ and σ, not its own.
  const Matrix test{{7, 12}};
  const Matrix zt = st.transform(test);
  CHECK(zt(0, 0) == Approx(4 / std::sqrt(8.0 / 3.0)));
  CHECK(zt(0, 1) == 2);
  CHECK_THROWS_AS(st.transform(Matrix(2, 3)), ShapeError);
  CHECK_THROWS_AS(st.fit(Matrix(0, 2)), ShapeError);
}

TEST_CASE("standardizer: the training set comes out with mean 0 and standard deviation 1", "[dataset]") {
  const Dataset d = load_iris(kIris);
  Standardizer st;
  st.fit(d.X);
  const Matrix z = st.transform(d.X);
  const Matrix mu = mean_rows(z);
  const Matrix sq = mean_rows(hadamard(z, z));
  for (std::size_t c = 0; c < 4; ++c) {
    CHECK(std::abs(mu(0, c)) < 1e-12);
    CHECK(sq(0, c) == Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("targets: one class against the rest", "[dataset]") {
  CHECK(one_vs_rest({2, 0, 1}, 2) == Matrix{{1}, {0}, {0}});
  CHECK(one_vs_rest({2, 0, 1}, 0) == Matrix{{0}, {1}, {0}});
}

TEST_CASE("labelled CSV: +1 and 1e-400 are numbers, 1e400 is out of range", "[dataset]") {
  const LabelledCsvFormat format{{"x", "y", "label"}, {"no", "yes"}};
  {
    std::ofstream out("dataset_test_numbers.csv");
    out << "x,y,label\n+1,1e-400,yes\n-2.5e+1,+0.25,no\n";
  }
  const Dataset d = load_labelled_csv("dataset_test_numbers.csv", format);
  CHECK(d.X == Matrix{{1, 0}, {-25, 0.25}});
  CHECK(d.labels == std::vector<std::size_t>{1, 0});
  {
    std::ofstream out("dataset_test_overflow.csv");
    out << "x,y,label\n1,2,yes\n3,1e400,no\n";
  }
  CHECK_THROWS_WITH(load_labelled_csv("dataset_test_overflow.csv", format),
                    "dataset_test_overflow.csv:3:3: y: \"1e400\" is out of range (a double holds at most ±1.8e308)");
}

TEST_CASE("labelled CSV: a long field is shortened in a message", "[dataset]") {
  const LabelledCsvFormat format{{"x", "label"}, {"no", "yes"}};
  {
    std::ofstream out("dataset_test_long.csv");
    out << "x,label\n1," << std::string(100000, 'z') << "\n";
  }
  CHECK_THROWS_WITH(load_labelled_csv("dataset_test_long.csv", format),
                    "dataset_test_long.csv:2:3: label: unknown label \"" + std::string(40, 'z') +
                        "…\"; expected one of no, yes");
}
