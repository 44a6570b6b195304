// Tests for glassbox/data/validation.hpp: the size of a validation set, the split (disjoint, complete,
// stratified by the largest-remainder rule, the same for the same seed), a size that leaves a part
// empty refused, the classes read from targets, and the two parts of (X, T).
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>

#include "glassbox/core/random.hpp"
#include "glassbox/data/validation.hpp"

using namespace glassbox;

namespace {

ValidationSize fraction(double f) { return ValidationSize{f, std::nullopt}; }
ValidationSize count(std::size_t c) { return ValidationSize{std::nullopt, c}; }

std::size_t count_of(const std::vector<std::size_t>& rows, const std::vector<std::size_t>& labels, std::size_t k) {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [&](std::size_t n) { return labels[n] == k; }));
}

}  // namespace

TEST_CASE("validation size: round(fraction·N) or the count, and both parts non-empty", "[validation]") {
  CHECK(fraction(0.2).samples(60) == 12);   // 0.2·60 = 12
  CHECK(fraction(0.25).samples(10) == 3);   // 2.5 rounds half up to 3
  CHECK(fraction(0.24).samples(10) == 2);   // 2.4 → 2
  CHECK(count(30).samples(31) == 30);       // leaves one for training
  CHECK_THROWS_AS(count(31).samples(31), std::invalid_argument);  // nothing left to train on
  CHECK_THROWS_AS(count(40).samples(31), std::invalid_argument);
  CHECK_THROWS_AS(count(0).samples(31), std::invalid_argument);
  CHECK_THROWS_AS(fraction(0.01).samples(10), std::invalid_argument);  // round(0.1) = 0 samples
  CHECK_THROWS_AS(fraction(1.0).samples(10), std::invalid_argument);
  CHECK_THROWS_WITH(count(31).samples(31), Catch::Contains("count 31 of 31 samples"));
}

TEST_CASE("validation split: disjoint, complete, sized, and the same for the same seed", "[validation]") {
  Rng a(7), b(7), c(8);
  const ValidationSplit s = split_validation(50, fraction(0.2), a);
  CHECK(s.validation.size() == 10);
  CHECK(s.train.size() == 40);
  CHECK_FALSE(s.stratified);
  std::set<std::size_t> all(s.train.begin(), s.train.end());
  for (std::size_t n : s.validation) CHECK(all.insert(n).second);  // no row in both parts
  CHECK(all.size() == 50);
  CHECK(std::is_sorted(s.train.begin(), s.train.end()));
  CHECK(std::is_sorted(s.validation.begin(), s.validation.end()));
  CHECK(split_validation(50, fraction(0.2), b).validation == s.validation);
  CHECK(split_validation(50, fraction(0.2), c).validation != s.validation);  // another seed, another choice
}

TEST_CASE("validation split: stratified, each class keeps its share by the largest remainder", "[validation]") {
  // 10 samples: class 0 ×5, class 1 ×3, class 2 ×2. V = 5 (fraction 0.5):
  //   quotas 5·5/10 = 2.5, 5·3/10 = 1.5, 5·2/10 = 1.0 → whole parts 2, 1, 1 (4 given);
  //   remainders 0.5, 0.5, 0 → the one left goes to class 0 (tie with class 1: the lower class).
  const std::vector<std::size_t> labels{0, 1, 0, 2, 0, 1, 0, 2, 0, 1};
  Rng rng(3);
  const ValidationSplit s = split_validation(10, fraction(0.5), rng, &labels);
  CHECK(s.stratified);
  CHECK(count_of(s.validation, labels, 0) == 3);
  CHECK(count_of(s.validation, labels, 1) == 1);
  CHECK(count_of(s.validation, labels, 2) == 1);
  CHECK(s.train.size() == 5);
  // Two moons' halves: 60 samples, 30 per class, count 12 → exactly 6 of each.
  std::vector<std::size_t> moons(60);
  for (std::size_t n = 0; n < 60; ++n) moons[n] = n % 2;
  const ValidationSplit m = split_validation(60, count(12), rng, &moons);
  CHECK(count_of(m.validation, moons, 0) == 6);
  CHECK(count_of(m.validation, moons, 1) == 6);
  const std::vector<std::size_t> short_labels{0, 1};
  CHECK_THROWS_AS(split_validation(10, fraction(0.5), rng, &short_labels), std::invalid_argument);
}

TEST_CASE("target classes: indices, yes/no and one-hot rows", "[validation]") {
  CHECK(target_classes(Matrix{{0}, {2}, {1}}) == std::vector<std::size_t>{0, 2, 1});
  CHECK(target_classes(Matrix{{-1}, {1}, {1}}) == std::vector<std::size_t>{0, 1, 1});  // −1/+1: t ≥ ½
  CHECK(target_classes(Matrix{{0.2}, {0.9}}) == std::vector<std::size_t>{0, 1});
  CHECK(target_classes(Matrix{{0, 1, 0}, {1, 0, 0}}) == std::vector<std::size_t>{1, 0});
}

TEST_CASE("apply_split: the rows of each part, in order", "[validation]") {
  const Matrix X{{0, 0}, {1, 10}, {2, 20}, {3, 30}};
  const Matrix T{{0}, {1}, {0}, {1}};
  const ValidationSplit s{{0, 2, 3}, {1}, false};
  const ValidationData d = apply_split(s, X, T);
  CHECK(d.X_train == Matrix{{0, 0}, {2, 20}, {3, 30}});
  CHECK(d.T_train == Matrix{{0}, {0}, {1}});
  CHECK(d.X_validation == Matrix{{1, 10}});
  CHECK(d.T_validation == Matrix{{1}});
  const Json e = validation_split_event(s, count(1));
  CHECK(e["event"] == "validation_split");
  CHECK(e["validation"] == Json::array({1}));
  CHECK(e["count"] == 1);
}
