// Chapter 12: the program's claims, checked on its own trace and files. Most tests run it on small
// IDX files they write themselves (400 training and 100 test images of ten made-up classes, in a
// folder under Fashion-MNIST's file names), so they need neither the real data set nor minutes of
// training; one runs a short piece of the real thing when Debian's dataset-fashion-mnist is there.
//
// The opened step is recomputed from the trace alone: the image's first-layer z from the weights
// before the step (W_after − update of the step's update event) and the pixels (the forward event's
// input), the output δ = (softmax(z) − onehot)/B from the output stage's z and the image's label
// (which the test knows: it wrote the file), dL/dW of one output weight as Σ_n δ_n[k]·a_n[j] over
// the batch, and Adam's m, v, m̂, v̂, √v̂ + ε and Δθ from the gradient and the previous step's m and v.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "chapter_run.hpp"
#include "svg_check.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kTrain = 400, kTest = 100, kPixels = 784;

void put32(std::string& bytes, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((v >> shift) & 0xff);
}

// Image n shows class n % 10: a block of ink whose place depends on the class (rows 2k … 2k+7,
// columns 3 … 24, and for odd classes also columns 20 … 27 of every row), over faint noise from a
// fixed linear congruential generator: ten classes a small network tells apart in a few epochs. One
// image in seven is labelled three classes on, so that there are mistakes to show.
std::size_t label_of(std::size_t n) { return n % 7 == 3 ? (n + 3) % 10 : n % 10; }

std::uint8_t pixel(std::size_t n, std::size_t i, std::uint32_t& state) {
  state = state * 1664525u + 1013904223u;
  const std::size_t k = n % 10, r = i / 28, c = i % 28;
  const bool ink = (r >= 2 * k && r < 2 * k + 8 && c >= 3 && c < 25) || (k % 2 == 1 && c >= 20);
  return static_cast<std::uint8_t>(ink ? 160 + (state >> 27) : (state >> 26));
}

// The four files, uncompressed (load_fashion_mnist takes them so too), in `folder`.
void write_fixture(const fs::path& folder) {
  fs::create_directories(folder);
  std::uint32_t state = 12345;
  for (const auto& [part, count] : {std::pair{std::string("train"), kTrain}, std::pair{std::string("t10k"), kTest}}) {
    std::string images, labels;
    put32(images, 0x00000803);
    put32(images, static_cast<std::uint32_t>(count));
    put32(images, 28);
    put32(images, 28);
    put32(labels, 0x00000801);
    put32(labels, static_cast<std::uint32_t>(count));
    for (std::size_t n = 0; n < count; ++n) {
      for (std::size_t i = 0; i < kPixels; ++i) images += static_cast<char>(pixel(n, i, state));
      labels += static_cast<char>(label_of(n));
    }
    std::ofstream(folder / (part + "-images-idx3-ubyte"), std::ios::binary) << images;
    std::ofstream(folder / (part + "-labels-idx1-ubyte"), std::ios::binary) << labels;
  }
}

fs::path fixture() {
  static const fs::path folder = [] {
    const fs::path f = fs::absolute(fs::path("chapter_test_output") / "ch12_fashion_mnist" /
                                     ("idx-" + std::to_string(::getpid())));
    write_fixture(f);
    return f;
  }();
  return folder;
}

// The small run the tests read: steps 4 and 5 traced in full, step 5 opened.
std::string small_args() {
  return "--data " + fixture().string() + " --epochs 3 --batch-size 32 --patience 2 --trace-steps 4:5";
}
const json& trace() { return glassbox::testing::trace_of("ch12_fashion_mnist", small_args()); }

std::vector<json> events(const json& doc, const std::string& kind) {
  std::vector<json> out;
  for (const auto& e : doc["events"])
    if (e["event"] == kind) out.push_back(e);
  return out;
}

json find(const json& doc, const std::string& kind, std::size_t step, const std::string& key, const json& value) {
  for (const auto& e : doc["events"])
    if (e["event"] == kind && e.value("step", std::size_t{0}) == step && e[key] == value) return e;
  FAIL("no " << kind << " event of step " << step << " with " << key << " = " << value.dump());
  return {};
}

double d(const json& v) { return v.get<double>(); }

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("ch12: on small IDX files the trace validates and two runs write the same bytes", "[ch12]") {
  // Two runs with steps 4 and 5 traced in full (about 80 MB each): the same bytes.
  const auto one = glassbox::testing::run_chapter("ch12_fashion_mnist", "same-1", small_args() + " --seed 7");
  const auto two = glassbox::testing::run_chapter("ch12_fashion_mnist", "same-2", small_args() + " --seed 7");
  REQUIRE(one.exit_code == 0);
  REQUIRE(two.exit_code == 0);
  const bool same = read_text(one.trace) == read_text(two.trace);
  CHECK(same);
  // The schema check reads a trace at level summary: Python's validator would take minutes over the
  // full steps' millions of numbers, and their events (forward, backward, update) are the training
  // loop's, validated in every other chapter's tests; this chapter's own events are all here.
  const auto summary = glassbox::testing::run_chapter("ch12_fashion_mnist", "schema", small_args() + " --trace-level summary");
  REQUIRE(summary.exit_code == 0);
  for (const char* kind : {"test_epoch", "step_walkthrough", "test_report", "model_check", "validation_split"})
    CHECK_FALSE(events(summary.document(), kind).empty());
  const std::string validate = "/usr/bin/python3 " GLASSBOX_SOURCE_DIR "/scripts/validate_trace.py " GLASSBOX_SOURCE_DIR
                               "/docs/trace.schema.json " + summary.trace.string() + " > /dev/null";
  CHECK(std::system(validate.c_str()) == 0);
}

TEST_CASE("ch12: the split and the test accuracy per epoch and the window of full steps", "[ch12]") {
  const auto split = events(trace(), "validation_split");
  REQUIRE(split.size() == 1);
  CHECK(split[0]["validation"].size() == 40);  // 10 % of 400, 4 of each class
  CHECK(split[0]["train"].size() == 360);
  const auto epochs = events(trace(), "epoch");
  const auto tests = events(trace(), "test_epoch");
  REQUIRE(tests.size() == epochs.size());
  for (std::size_t i = 0; i < tests.size(); ++i) CHECK(tests[i]["epoch"] == epochs[i]["epoch"]);
  // Steps 4 and 5 and no other at level full: two forward events per stage … per step.
  std::set<std::size_t> full_steps;
  for (const auto& e : events(trace(), "forward")) full_steps.insert(e["step"].get<std::size_t>());
  CHECK(full_steps == std::set<std::size_t>{4, 5});
  CHECK(events(trace(), "update").size() == 2 * 6);  // 6 parameters, 2 steps
  // The made-up classes are easy: the network learns them (a broken loop would stay near 0.1).
  CHECK(d(tests.back()["test_accuracy"]) > 0.6);  // at most 6 in 7 are learnable
}

TEST_CASE("ch12: the opened step's forward pass and δ recomputed from the trace", "[ch12]") {
  const auto walks = events(trace(), "step_walkthrough");
  REQUIRE(walks.size() == 1);
  const json& w = walks[0];
  const std::size_t step = w["step"], B = w["batch_size"], label = w["label"], index = w["training_index"];
  REQUIRE(step == 5);
  CHECK(B == 32);
  CHECK(label == label_of(index));  // the label the fixture wrote
  const json f0 = find(trace(), "forward", step, "layer", 0);
  const json& x = f0["input"][0];
  // The batch's first row is training image `index`, as the fixture wrote it (/255).
  std::uint32_t state = 12345;
  std::vector<std::uint8_t> written;
  for (std::size_t n = 0; n <= index; ++n)
    for (std::size_t i = 0; i < kPixels; ++i) {
      const std::uint8_t p = pixel(n, i, state);
      if (n == index) written.push_back(p);
    }
  for (std::size_t i = 0; i < kPixels; ++i) REQUIRE(d(x[i]) == Approx(written[i] / 255.0).margin(1e-15));

  // z of the shown units from the weights before the step: W_after − update (one rounding each).
  const json uW = find(trace(), "update", step, "parameter", "layers[0].W");
  const json ub = find(trace(), "update", step, "parameter", "layers[0].b");
  REQUIRE(w["hidden_units"].size() == 3);
  for (const json& unit : w["hidden_units"]) {
    const std::size_t j = unit["unit"];
    double z = d(ub["b_after"][0][j]) - d(ub["update"][0][j]);
    for (std::size_t i = 0; i < kPixels; ++i) z += (d(uW["W_after"][j][i]) - d(uW["update"][j][i])) * d(x[i]);
    INFO("unit " << j);
    CHECK(d(f0["z"][0][j]) == Approx(z).epsilon(1e-9).margin(1e-12));
    CHECK(d(unit["z"]) == d(f0["z"][0][j]));
    CHECK(d(unit["a"]) == std::max(0.0, d(unit["z"])));
  }

  // δ at the output: (softmax(z) − onehot(label))/B, against the backward event and the program's.
  const json f4 = find(trace(), "forward", step, "layer", 4);
  const json b4 = find(trace(), "backward", step, "layer", 4);
  const json& z = f4["z"][0];
  double top = d(z[0]);
  for (const auto& v : z) top = std::max(top, d(v));
  double sum = 0;
  for (const auto& v : z) sum += std::exp(d(v) - top);
  for (std::size_t k = 0; k < 10; ++k) {
    const double delta = (std::exp(d(z[k]) - top) / sum - (k == label ? 1.0 : 0.0)) / static_cast<double>(B);
    INFO("class " << k);
    CHECK(d(b4["dL_dz"][0][k]) == Approx(delta).epsilon(1e-12).margin(1e-15));
    CHECK(d(w["dL_dz_output"][k]) == Approx(delta).epsilon(1e-12).margin(1e-15));
  }
}

TEST_CASE("ch12: the opened step's dL/dW and Adam updates recomputed from the trace", "[ch12]") {
  const json w = events(trace(), "step_walkthrough").at(0);
  const std::size_t step = w["step"], B = w["batch_size"];
  const json f2 = find(trace(), "forward", step, "layer", 2);
  const json b4 = find(trace(), "backward", step, "layer", 4);
  REQUIRE(w["adam"].size() == 2);
  // The output weight W[k][j]: dL/dW = Σ_n δ_n[k]·a_n[j] over the batch (a of the stage before).
  const json& out = w["adam"][0];
  REQUIRE(out["parameter"] == "layers[4].W");
  const std::size_t k = out["row"], j = out["col"];
  double dW = 0;
  for (std::size_t n = 0; n < B; ++n) dW += d(b4["dL_dz"][n][k]) * d(f2["a"][n][j]);
  CHECK(d(b4["dL_dW"][k][j]) == Approx(dW).epsilon(1e-10).margin(1e-15));
  CHECK(d(w["output_weight_term"]) ==
        Approx(d(b4["dL_dz"][0][k]) * d(f2["a"][0][j])).epsilon(1e-12).margin(1e-15));

  // Adam, β = (0.9, 0.999), ε = 1e-8, t = the step (every weight is updated at every step). m and v
  // before the step are the previous step's, also traced (--trace-steps 4:5).
  const double t = static_cast<double>(step);
  for (const json& a : w["adam"]) {
    const std::string name = a["parameter"];
    const std::size_t r = a["row"], c = a["col"];
    INFO(name << "[" << r << "][" << c << "]");
    const json now = find(trace(), "update", step, "parameter", name);
    const json before = find(trace(), "update", step - 1, "parameter", name);
    const json bw = find(trace(), "backward", step, "layer", name == "layers[0].W" ? 0 : 4);
    const double g = d(bw["dL_dW"][r][c]);
    const double m_prev = d(before["state"]["m"][r][c]), v_prev = d(before["state"]["v"][r][c]);
    CHECK(d(a["m_before"]) == m_prev);
    CHECK(d(a["v_before"]) == v_prev);
    CHECK(d(a["dL_dW"]) == g);
    const double m = 0.9 * m_prev + 0.1 * g, v = 0.999 * v_prev + 0.001 * g * g;
    CHECK(d(now["state"]["m"][r][c]) == Approx(m).epsilon(1e-12));
    CHECK(d(now["state"]["v"][r][c]) == Approx(v).epsilon(1e-12));
    const double m_hat = m / (1 - std::pow(0.9, t)), v_hat = v / (1 - std::pow(0.999, t));
    CHECK(d(now["state"]["m_hat"][r][c]) == Approx(m_hat).epsilon(1e-10));
    CHECK(d(now["state"]["v_hat"][r][c]) == Approx(v_hat).epsilon(1e-10));
    const double denominator = std::sqrt(v_hat) + 1e-8;
    CHECK(d(now["state"]["denominator"][r][c]) == Approx(denominator).epsilon(1e-10));
    const double update = -d(now["learning_rate"]) * m_hat / denominator;
    CHECK(d(now["update"][r][c]) == Approx(update).epsilon(1e-9));
    CHECK(d(a["update"]) == d(now["update"][r][c]));
    CHECK(d(a["W_after"]) == d(now["W_after"][r][c]));
    CHECK(d(a["W_before"]) + d(a["update"]) == Approx(d(a["W_after"])).epsilon(1e-14));
    CHECK(d(before["W_after"][r][c]) == d(a["W_before"]));  // θ before step 5 is θ after step 4
  }
}

TEST_CASE("ch12: the saved model loads in a fresh process with the same test accuracy", "[ch12]") {
  const auto run = glassbox::testing::run_chapter("ch12_fashion_mnist", "model", small_args());
  REQUIRE(run.exit_code == 0);
  const json doc = run.document();
  const json check = events(doc, "model_check").at(0);
  CHECK(check["differing_logits"] == 0);
  const double accuracy = d(check["test_accuracy"]);
  // The kept epoch's test accuracy, as measured while training, is the saved model's.
  const std::size_t kept = doc["result"]["epoch_kept"];
  CHECK(d(events(doc, "test_epoch").at(kept - 1)["test_accuracy"]) == accuracy);
  const fs::path model = fs::path(run.trace).replace_extension().string() + ".model.json";
  REQUIRE(fs::exists(model));
  const fs::path out = fs::path(run.trace).replace_extension().string() + ".evaluate.txt";
  const std::string command = std::string(GLASSBOX_BINARY_DIR "/bin/glassbox evaluate ") + model.string() + " > " +
                              out.string() + " 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  const std::string text = read_text(out);
  INFO(text);
  // "accuracy 0.9300 (93 of 100)": 100 test images, so the accuracy is a whole number of hundredths.
  const long right = std::lround(accuracy * 100);
  char expected[64];
  std::snprintf(expected, sizeof expected, "accuracy %.4f (%ld of 100)", accuracy, right);
  CHECK(text.find(expected) != std::string::npos);
}

TEST_CASE("ch12: the pictures are well-formed SVG with what they promise", "[ch12]") {
  const auto run = glassbox::testing::run_chapter("ch12_fashion_mnist", "svg", small_args());
  REQUIRE(run.exit_code == 0);
  const std::string base = fs::path(run.trace).replace_extension().string();
  const auto images = [](const json& svg) { return glassbox::testing::count_of(svg, "elements", "image"); };
  const auto samples = glassbox::testing::read_svg(base + ".samples.svg");
  REQUIRE(samples);
  CHECK(images(*samples) == 20);  // the first two of each class
  for (const char* name : {".weights.svg", ".weight_changes.svg"}) {
    const auto weights = glassbox::testing::read_svg(base + name);
    REQUIRE(weights);
    CHECK(images(*weights) == 64);
  }
  const auto mistakes = glassbox::testing::read_svg(base + ".mistakes.svg");
  REQUIRE(mistakes);
  CHECK(images(*mistakes) == static_cast<int>(events(run.document(), "test_report").at(0)["mistakes"].size()));
  const auto confusion = glassbox::testing::read_svg(base + ".confusion.svg");
  REQUIRE(confusion);
  CHECK(glassbox::testing::count_of(*confusion, "elements", "rect") == 1 + 100);  // background, 10 × 10 cells
  const std::string texts = (*confusion)["texts"].dump();
  CHECK(texts.find("Ankle boot") != std::string::npos);
  const auto accuracy = glassbox::testing::read_svg(base + ".accuracy.svg");
  REQUIRE(accuracy);
}

TEST_CASE("ch12: a folder without the data or a bad window is refused with exit 2 and nothing written", "[ch12]") {
  const fs::path empty = fs::absolute(fs::path("chapter_test_output") / "ch12_fashion_mnist" /
                                      ("empty-" + std::to_string(::getpid())));
  fs::create_directories(empty);
  const auto missing = glassbox::testing::run_chapter("ch12_fashion_mnist", "missing", "--data /no/such/folder");
  CHECK(missing.exit_code == 2);
  CHECK(missing.stderr_text.find("--data: /no/such/folder is not a folder") != std::string::npos);
  CHECK(missing.stderr_text.find("dataset-fashion-mnist") != std::string::npos);
  CHECK_FALSE(missing.trace_written);
  const auto no_files = glassbox::testing::run_chapter("ch12_fashion_mnist", "nofiles", "--data " + empty.string());
  CHECK(no_files.exit_code == 2);
  CHECK(no_files.stderr_text.find("train-images-idx3-ubyte") != std::string::npos);
  CHECK(no_files.stderr_text.find("dataset-fashion-mnist") != std::string::npos);
  CHECK_FALSE(no_files.trace_written);
  CHECK_FALSE(fs::exists(fs::path(no_files.trace).replace_extension().string() + ".samples.svg"));
  for (const char* window : {"5", "0:3", "4:2", "a:b"}) {
    const auto bad = glassbox::testing::run_chapter("ch12_fashion_mnist", "window", small_args() + " --trace-steps " + window);
    INFO(window << ": " << bad.stderr_text);
    CHECK(bad.exit_code == 2);
    CHECK(bad.stderr_text.find("--trace-steps: expected A:B") != std::string::npos);
    CHECK_FALSE(bad.trace_written);
  }
}

TEST_CASE("ch12: a short run on the real Fashion-MNIST files", "[ch12]") {
  if (!fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    WARN("skipped: /usr/share/datasets/fashion-mnist has no Fashion-MNIST (apt-get install dataset-fashion-mnist)");
    return;
  }
  const auto run = glassbox::testing::run_chapter("ch12_fashion_mnist", "real",
                                                  "--limit 3000 --epochs 1 --trace-steps 3:3");
  REQUIRE(run.exit_code == 0);
  const json doc = run.document();
  // 3,000 images, 300 of them held out.
  const auto split = events(doc, "validation_split").at(0);
  CHECK(split["train"].size() + split["validation"].size() == 3000);
  CHECK(d(events(doc, "test_epoch").at(0)["test_accuracy"]) > 0.7);  // one epoch on 2,700 images
  CHECK(events(doc, "test_report").at(0)["samples"] == 10000);
  CHECK(events(doc, "model_check").at(0)["differing_logits"] == 0);
}
