// Tests for glassbox/train/classification_report.hpp: precision, recall, F1, support and their averages
// worked by hand from scikit-learn's definitions (a class never predicted included), the printed
// table, and the most confident mistakes.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "glassbox/train/classification_report.hpp"

using namespace glassbox;

namespace {

// The cells of the line of `text` whose first cell is `name` (cells split on runs of spaces).
std::vector<std::string> row_of(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) != 0) continue;
    std::vector<std::string> cells{name};
    std::istringstream words(line.substr(name.size()));
    for (std::string w; words >> w;) cells.push_back(w);
    return cells;
  }
  return {};
}

}  // namespace

// truth     a a a b b c c c
// predicted a a b b a b b a      (c is never predicted)
// Confusion matrix, rows = true, columns = predicted:
//        a  b  c
//   a  [ 2  1  0 ]
//   b  [ 1  1  0 ]
//   c  [ 1  2  0 ]
// a: tp 2, fp 1+1 = 2, fn 1      P = 2/4 = 0.5    R = 2/3    F1 = 2·2/(4+2+1) = 4/7
// b: tp 1, fp 1+2 = 3, fn 1      P = 1/4 = 0.25   R = 1/2    F1 = 2/(2+3+1) = 1/3
// c: tp 0, fp 0,       fn 3      P = 0/0 → 0      R = 0/3    F1 = 0/(0+0+3) = 0
// accuracy = (2+1+0)/8 = 3/8
// macro:    P = (0.5+0.25+0)/3 = 0.25   R = (2/3+1/2+0)/3 = 7/18   F1 = (4/7+1/3+0)/3 = 19/63
// weighted: P = (3·0.5+2·0.25+3·0)/8 = 0.25   R = (3·2/3+2·1/2+0)/8 = 3/8   F1 = (3·4/7+2·1/3)/8 = 25/84
TEST_CASE("classification report: precision, recall, F1 and their averages, a class never predicted scoring 0",
          "[classification_report]") {
  const std::vector<std::size_t> truth{0, 0, 0, 1, 1, 2, 2, 2}, predicted{0, 0, 1, 1, 0, 1, 1, 0};
  const ClassificationReport r = classification_report(truth, predicted, {"a", "b", "c"});
  CHECK(r.confusion.counts == std::vector<std::vector<std::size_t>>{{2, 1, 0}, {1, 1, 0}, {1, 2, 0}});
  CHECK(r.samples() == 8);
  CHECK(r.accuracy == Approx(3.0 / 8));
  REQUIRE(r.classes.size() == 3);
  const ClassScores &a = r.classes[0], &b = r.classes[1], &c = r.classes[2];
  CHECK(a.name == "a");
  CHECK(a.precision == Approx(0.5));
  CHECK(a.recall == Approx(2.0 / 3));
  CHECK(a.f1 == Approx(4.0 / 7));
  CHECK(a.support == 3);
  CHECK(b.precision == Approx(0.25));
  CHECK(b.recall == Approx(0.5));
  CHECK(b.f1 == Approx(1.0 / 3));
  CHECK(b.support == 2);
  CHECK(c.precision == 0.0);
  CHECK(c.precision_undefined);
  CHECK_FALSE(c.recall_undefined);
  CHECK(c.recall == 0.0);
  CHECK(c.f1 == 0.0);
  CHECK(c.support == 3);
  CHECK_FALSE(a.precision_undefined);

  CHECK(r.macro_avg.name == "macro avg");
  CHECK(r.macro_avg.precision == Approx(0.25));
  CHECK(r.macro_avg.recall == Approx(7.0 / 18));
  CHECK(r.macro_avg.f1 == Approx(19.0 / 63));
  CHECK(r.macro_avg.support == 8);
  CHECK(r.weighted_avg.precision == Approx(0.25));
  CHECK(r.weighted_avg.recall == Approx(3.0 / 8));  // the weighted recall is the accuracy
  CHECK(r.weighted_avg.f1 == Approx(25.0 / 84));
  CHECK(r.weighted_avg.support == 8);
}

TEST_CASE("classification report: a class with no samples counts in the macro average as 0", "[classification_report]") {
  // Classes a, b right every time; c has no samples and is never predicted: P, R, F1 are 0/0 → 0.
  const ClassificationReport r = classification_report({0, 1, 1}, {0, 1, 1}, {"a", "b", "c"});
  CHECK(r.classes[2].support == 0);
  CHECK(r.classes[2].recall_undefined);
  CHECK(r.classes[2].precision_undefined);
  CHECK(r.accuracy == 1.0);
  CHECK(r.macro_avg.precision == Approx(2.0 / 3));  // (1 + 1 + 0) / 3
  CHECK(r.macro_avg.f1 == Approx(2.0 / 3));
  CHECK(r.weighted_avg.f1 == Approx(1.0));  // (1·1 + 2·1 + 0·0) / 3
  CHECK_THROWS_AS(classification_report({0, 1}, {0, 1}, {"only one name"}), std::invalid_argument);
  CHECK_THROWS_AS(classification_report(ConfusionMatrix{{{0, 0}, {0, 0}}}, {"a", "b"}), std::invalid_argument);
}

TEST_CASE("classification report: the table has scikit-learn's rows and columns", "[classification_report]") {
  const ClassificationReport r = classification_report({0, 0, 0, 1, 1, 2, 2, 2}, {0, 0, 1, 1, 0, 1, 1, 0}, {"a", "b", "c"});
  const std::string text = classification_table(r).render();
  CHECK(row_of(text, "a") == std::vector<std::string>{"a", "0.50", "0.67", "0.57", "3"});
  CHECK(row_of(text, "b") == std::vector<std::string>{"b", "0.25", "0.50", "0.33", "2"});
  CHECK(row_of(text, "c") == std::vector<std::string>{"c", "0.00", "0.00", "0.00", "3"});
  CHECK(row_of(text, "accuracy") == std::vector<std::string>{"accuracy", "0.38", "8"});  // 0.375 → 0.38
  CHECK(row_of(text, "macro avg") == std::vector<std::string>{"macro avg", "0.25", "0.39", "0.30", "8"});
  CHECK(row_of(text, "weighted avg") == std::vector<std::string>{"weighted avg", "0.25", "0.38", "0.30", "8"});
  CHECK(text.find("precision") < text.find("recall"));
  CHECK(row_of(classification_table(r, 4).render(), "a")[3] == "0.5714");
}

TEST_CASE("most confident mistakes: wrong answers only, the surest first, ties by index", "[classification_report]") {
  const Matrix P{{0.7, 0.2, 0.1},     // 0: truth 0, predicted 0 — right
                 {0.1, 0.6, 0.3},     // 1: truth 2, predicted 1 at 0.6
                 {0.05, 0.05, 0.9},   // 2: truth 0, predicted 2 at 0.9
                 {0.3, 0.6, 0.1},     // 3: truth 0, predicted 1 at 0.6 (ties with 1: index order)
                 {0.5, 0.5, 0.0}};    // 4: truth 1, predicted 0 (a tie goes to the first column) at 0.5
  const std::vector<std::size_t> truth{0, 2, 0, 0, 1};
  CHECK(predicted_classes(P) == std::vector<std::size_t>{0, 1, 2, 1, 0});
  const auto all = most_confident_mistakes(P, truth, 10);
  REQUIRE(all.size() == 4);
  CHECK(all[0].index == 2);
  CHECK(all[0].truth == 0);
  CHECK(all[0].predicted == 2);
  CHECK(all[0].probability == 0.9);
  CHECK(all[0].truth_probability == 0.05);
  CHECK(all[1].index == 1);
  CHECK(all[2].index == 3);
  CHECK(all[3].index == 4);
  CHECK(all[3].predicted == 0);
  const auto top2 = most_confident_mistakes(P, truth, 2);
  REQUIRE(top2.size() == 2);
  CHECK(top2[1].index == 1);

  const std::string text = mistakes_table(top2, {"T-shirt/top", "Trouser", "Pullover"}).render();
  CHECK(text.find("T-shirt/top") != std::string::npos);
  CHECK(text.find("Pullover") != std::string::npos);
  CHECK(text.find("0.900") != std::string::npos);
}

TEST_CASE("most confident mistakes: logits are read through a softmax", "[classification_report]") {
  // softmax(0, ln 3) = (1, 3)/(1 + 3) = (0.25, 0.75): truth 0, predicted 1 at 0.75.
  const Matrix Z{{0.0, std::log(3.0)}, {1.0, 0.0}};
  const auto m = most_confident_mistakes(Z, {0, 0}, 5, Outputs::logits);
  REQUIRE(m.size() == 1);
  CHECK(m[0].index == 0);
  CHECK(m[0].probability == Approx(0.75));
  CHECK(m[0].truth_probability == Approx(0.25));
  // Read as probabilities the same numbers would give ln 3 ≈ 1.0986.
  CHECK(most_confident_mistakes(Z, {0, 0}, 5)[0].probability == Approx(std::log(3.0)));
}

TEST_CASE("most confident mistakes: shapes and labels that do not fit are refused", "[classification_report]") {
  CHECK_THROWS_AS(most_confident_mistakes(Matrix{{0.2}, {0.9}}, {0, 1}, 3), ShapeError);
  CHECK_THROWS_AS(most_confident_mistakes(Matrix{{0.2, 0.8}}, {0, 1}, 3), ShapeError);
  CHECK_THROWS_WITH(most_confident_mistakes(Matrix{{0.2, 0.8}}, {2}, 3), Catch::Contains("label 2 of sample 0"));
}
