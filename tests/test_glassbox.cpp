// Tests of the glassbox program (tools/glassbox): what `glassbox run` and `glassbox gradcheck`
// write and which exit code they give, read back from their traces.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "chapter_run.hpp"
#include "svg_check.hpp"

using glassbox::testing::run_chapter;

namespace {

std::string spec(const std::string& path) { return std::string(GLASSBOX_SOURCE_DIR "/") + path; }

// The first event of `kind` (and, if given, for `parameter`) in a trace.
nlohmann::json find_event(const nlohmann::json& trace, const std::string& kind, const std::string& parameter = "") {
  for (const auto& e : trace["events"])
    if (e["event"] == kind && (parameter.empty() || e["parameter"] == parameter)) return e;
  FAIL("no " << kind << " event " << parameter);
  return {};
}

}  // namespace

TEST_CASE("glassbox run: the worked example's numbers, from its trace", "[glassbox]") {
  const auto run = run_chapter("glassbox", "worked_example", "run " + spec("examples/worked_example.json"));
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run.trace_written);
  const auto trace = run.document();
  CHECK(trace["program"] == "glassbox");
  CHECK(trace["trace_level"] == "full");  // the spec's level
  // E = Σ ½(t − o)² before the step, and the weights after it, to the published digits.
  CHECK(find_event(trace, "step")["loss"].get<double>() == Approx(0.298371109).margin(5e-10));
  const auto W2 = find_event(trace, "update", "layers[2].W")["W_after"];
  const auto W1 = find_event(trace, "update", "layers[0].W")["W_after"];
  CHECK(W2[0][0].get<double>() == Approx(0.35891648).margin(5e-9));    // w5
  CHECK(W2[0][1].get<double>() == Approx(0.408666186).margin(5e-10));  // w6
  CHECK(W1[0][0].get<double>() == Approx(0.149780716).margin(5e-10));  // w1
  CHECK(W1[1][1].get<double>() == Approx(0.29950229).margin(5e-9));    // w4
  // The biases are frozen: they do not move.
  const auto b1 = find_event(trace, "update", "layers[0].b");
  CHECK(b1["frozen"] == true);
  CHECK(b1["b_after"] == nlohmann::json::parse("[[0.35, 0.35]]"));
}

TEST_CASE("glassbox run: --seed and --trace-level take the place of the spec's", "[glassbox]") {
  const auto plain = run_chapter("glassbox", "xor_plain", "run " + spec("examples/xor.json"));
  const auto seeded =
      run_chapter("glassbox", "xor_seeded", "run " + spec("examples/xor.json") + " --seed 5 --trace-level step");
  REQUIRE(plain.exit_code == 0);
  REQUIRE(seeded.exit_code == 0);
  const auto a = plain.document(), b = seeded.document();
  CHECK(a["seed"] == 1);
  CHECK(b["seed"] == 5);
  CHECK(b["hyperparameters"]["seed"] == 5);
  CHECK(a["trace_level"] == "summary");
  CHECK(b["trace_level"] == "step");
  CHECK(a["result"]["initial_loss"] != b["result"]["initial_loss"]);  // other initial weights
  CHECK(find_event(b, "step")["event"] == "step");
}

TEST_CASE("glassbox gradcheck: a kink is reported and the check passes (exit 0)", "[glassbox]") {
  const auto run = run_chapter("glassbox", "relu_kink", "gradcheck " + spec("examples/relu_kink.json"));
  INFO(run.stderr_text);
  CHECK(run.exit_code == 0);
  REQUIRE(run.trace_written);
  const auto trace = run.document();
  const auto check = find_event(trace, "gradcheck");
  CHECK(check["counts"]["kink"] == 3);
  CHECK(check["counts"]["fail"] == 0);
  CHECK(check["verdict"] == "good");
  CHECK(trace["result"]["passed"] == true);
}

TEST_CASE("glassbox gradcheck: a check that fails exits 1 and records why", "[glassbox]") {
  const auto run = run_chapter("glassbox", "large_h", "gradcheck " + spec("tests/data/specs/gradcheck_large_h.json"));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.stderr_text, Catch::Contains("gradcheck did not pass") && Catch::Contains("fail"));
  REQUIRE(run.trace_written);
  const auto trace = run.document();
  CHECK(find_event(trace, "gradcheck")["verdict"] == "fail");
  CHECK(trace["result"]["passed"] == false);
}

TEST_CASE("glassbox run: a run whose numbers break exits 1, says where, and keeps its trace as .failed.json",
          "[glassbox]") {
  const auto run = run_chapter("glassbox", "diverges", "run " + spec("tests/data/specs/diverges.json"));
  CHECK(run.exit_code == 1);
  // The overflow happens in the evaluation after the epoch's one step, not in a step's forward pass.
  CHECK_THAT(run.stderr_text, Catch::Contains("epoch 1, evaluating the whole training set after step 1: forward: "
                                              "the output of layers[0] (Dense(1→1))"));
  CHECK_FALSE(run.trace_written);  // the name a good run would have is left alone
  auto failed = run.trace;
  failed.replace_extension(".failed.json");
  CHECK_THAT(run.stderr_text, Catch::Contains("the trace of the failed run is " + failed.string()));
  REQUIRE(std::filesystem::exists(failed));
  std::ifstream in(failed);
  const auto trace = nlohmann::json::parse(in);
  const auto& last = trace["events"].back();
  CHECK(last["event"] == "failure");
  CHECK(last["kind"] == "non_finite");
  CHECK_THAT(last["message"].get<std::string>(), Catch::Contains("evaluating the whole training set"));
  CHECK(trace["result"]["failed"]["kind"] == "non_finite");
  std::filesystem::remove(failed);
}

TEST_CASE("glassbox run: a loss that grows by orders of magnitude stops the run, naming the learning rate",
          "[glassbox]") {
  const auto run = run_chapter("glassbox", "grows", "run " + spec("tests/data/specs/loss_grows.json"));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.stderr_text, Catch::Contains("learning rate η = 1e+06 too large"));
  auto failed = run.trace;
  failed.replace_extension(".failed.json");
  REQUIRE(std::filesystem::exists(failed));
  std::ifstream in(failed);
  CHECK(nlohmann::json::parse(in)["events"].back()["kind"] == "divergence");
  std::filesystem::remove(failed);
}

TEST_CASE("glassbox: a bad spec exits 2 naming file and JSON path, and writes nothing", "[glassbox]") {
  const auto run = run_chapter("glassbox", "bad", "gradcheck " + spec("tests/data/specs/unknown_key.json"));
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.stderr_text, Catch::Contains("unknown_key.json: training.epoch: unknown key"));
  CHECK_FALSE(run.trace_written);
}

TEST_CASE("glassbox: run and gradcheck of one spec write their own default traces", "[glassbox]") {
  using glassbox::testing::left_in;
  const auto folder = std::filesystem::path("chapter_test_output/glassbox") / ("fresh-" + std::to_string(::getpid()));
  const std::string xor_spec = spec("examples/xor.json");
  REQUIRE(glassbox::testing::run_in_fresh_folder("glassbox", folder, "run " + xor_spec + " --quiet").exit_code == 0);
  std::ifstream ran(folder / "traces/xor.json");
  const auto run_trace = nlohmann::json::parse(ran);
  // Then a gradient check in the same folder: it must not replace the trace of the run.
  const auto command = std::string("cd '") + folder.string() + "' && " GLASSBOX_BINARY_DIR "/bin/glassbox gradcheck " +
                       xor_spec + " --quiet";
  REQUIRE(std::system(command.c_str()) == 0);
  CHECK(left_in(folder) == std::vector<std::string>{"traces", "traces/xor.curves.svg", "traces/xor.gradcheck.json", "traces/xor.json"});
  std::ifstream ran_after(folder / "traces/xor.json"), checked(folder / "traces/xor.gradcheck.json");
  CHECK(nlohmann::json::parse(ran_after) == run_trace);
  const auto check_trace = nlohmann::json::parse(checked);
  CHECK(find_event(check_trace, "gradcheck")["event"] == "gradcheck");
  CHECK(check_trace["result"]["passed"] == true);
}

TEST_CASE("glassbox: a refused spec leaves nothing in its working folder, not even traces/", "[glassbox]") {
  const auto folder = std::filesystem::path("chapter_test_output/glassbox") / ("refused-" + std::to_string(::getpid()));
  for (const char* command : {"run", "gradcheck"}) {
    const auto run = glassbox::testing::run_in_fresh_folder(
        "glassbox", folder, std::string(command) + " " + spec("tests/data/specs/unknown_key.json") + " --quiet");
    CHECK(run.exit_code == 2);
    CHECK(glassbox::testing::left_in(folder).empty());
  }
}

TEST_CASE("glassbox run --trace /dev/null writes through it, and /dev/null stays a device", "[glassbox]") {
  namespace fs = std::filesystem;
  if (!fs::is_character_file("/dev/null")) return;  // not on this system
  const auto folder = std::filesystem::path("chapter_test_output/glassbox") / ("devnull-" + std::to_string(::getpid()));
  const auto run = glassbox::testing::run_in_fresh_folder(
      "glassbox", folder, "run " + spec("examples/xor.json") + " --quiet --trace-level full --trace /dev/null");
  INFO(run.stderr_text);
  CHECK(run.exit_code == 0);
  CHECK(fs::is_character_file(fs::symlink_status("/dev/null")));
  for (const auto& entry : fs::directory_iterator("/dev"))
    CHECK_FALSE(entry.path().filename().string().starts_with("null."));
  CHECK(glassbox::testing::left_in(folder).empty());
}

TEST_CASE("glassbox run: a trace estimated past its limit is refused before training (exit 2)", "[glassbox]") {
  // A million epochs of four single-sample steps at level full: about 121 GB by the estimate.
  const auto folder =
      std::filesystem::path("chapter_test_output/glassbox") / ("estimate-" + std::to_string(::getpid()));
  const std::string stdout_file = std::filesystem::absolute(folder).string() + ".stdout";
  const auto run = glassbox::testing::run_in_fresh_folder(
      "glassbox", folder, "run " + spec("tests/data/specs/huge_trace.json") + " > '" + stdout_file + "'");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.stderr_text, Catch::Contains("huge_trace.json: trace: traces/bad.json: at level full this run would "
                                              "write about 121 GB, more than the trace's limit of 1 GB"));
  std::ifstream out(stdout_file);
  const std::string printed{std::istreambuf_iterator<char>(out), std::istreambuf_iterator<char>()};
  CHECK(printed.empty());  // refused before it described the run, let alone trained: no "Epochs" table
  CHECK(glassbox::testing::left_in(folder).empty());
}

// ---- glassbox diff --------------------------------------------------------------------------------

namespace {

struct DiffRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs `glassbox diff` with `arguments` in `folder` (made fresh), capturing stdout and stderr.
DiffRun glassbox_diff(const std::filesystem::path& folder, const std::string& arguments) {
  const auto run = glassbox::testing::run_in_fresh_folder("glassbox", folder, "diff " + arguments + " > out.txt");
  DiffRun d;
  d.exit_code = run.exit_code;
  d.err = run.stderr_text;
  std::ifstream in(folder / "out.txt");
  std::stringstream text;
  text << in.rdbuf();
  d.out = text.str();
  return d;
}

// A trace of two events as the Tracer lays it out; `w` is the second event's weight (1, 0).
std::string small_trace(const std::string& w) {
  return "{\"schema\":\"glassbox-trace\",\"version\":1,\"program\":\"t\",\"chapter\":0,\"seed\":1,"
         "\"trace_level\":\"full\",\"hyperparameters\":{},\n\"events\":[\n"
         "{\"event\":\"step\",\"epoch\":1,\"step\":1,\"loss\":0.5},\n"
         "{\"event\":\"update\",\"epoch\":1,\"step\":1,\"parameter\":\"layers[0].W\",\"W_after\":[[1,2],[" + w +
         ",4]]}\n],\n\"result\":{\"loss\":0.25}}\n";
}

}  // namespace

TEST_CASE("glassbox diff: exit 0 when the traces agree, 1 at the first difference, with its address", "[glassbox]") {
  namespace fs = std::filesystem;
  const fs::path folder = fs::absolute(fs::path("chapter_test_output/glassbox") / ("diff-" + std::to_string(::getpid())));
  fs::create_directories(folder.parent_path());
  const fs::path a = folder.string() + ".a.json", b = folder.string() + ".b.json", c = folder.string() + ".c.json";
  std::ofstream(a) << small_trace("3");
  std::ofstream(b) << small_trace("3");
  std::ofstream(c) << small_trace("3.5");

  const DiffRun same = glassbox_diff(folder, a.string() + " " + b.string());
  INFO(same.err);
  CHECK(same.exit_code == 0);
  // Numbers: epoch, step, loss; epoch, step, the four of W_after; the result's loss: 10.
  CHECK(same.out.find("the events agree: 10 numbers in 2 events") != std::string::npos);

  const DiffRun differ = glassbox_diff(folder, a.string() + " " + c.string());
  CHECK(differ.exit_code == 1);
  CHECK(differ.out.find("first difference: event 2 (line 4 of A, line 4 of B): update, epoch 1, step 1, parameter "
                        "layers[0].W, field W_after, element (1, 0)") != std::string::npos);
  CHECK(differ.out.find("A: 3\n") != std::string::npos);
  CHECK(differ.out.find("B: 3.5\n") != std::string::npos);
  // |3 − 3.5| = 0.5, relative to |3.5|: 0.143.
  CHECK(differ.out.find("|A − B| = 0.5, relative to |B|: 0.143") != std::string::npos);
  // Within the tolerance: 0.5 ≤ 0.2 + 0.1·3.5 = 0.55.
  CHECK(glassbox_diff(folder, a.string() + " " + c.string() + " --atol 0.2 --rtol 0.1").exit_code == 0);
  CHECK(glassbox_diff(folder, a.string() + " " + c.string() + " --atol=0.1 --rtol=0.1").exit_code == 1);
  fs::remove(a);
  fs::remove(b);
  fs::remove(c);
}

TEST_CASE("glassbox diff: exit 2 for a bad option or a file that is not a trace, naming it", "[glassbox]") {
  namespace fs = std::filesystem;
  const fs::path folder = fs::absolute(fs::path("chapter_test_output/glassbox") / ("diff2-" + std::to_string(::getpid())));
  fs::create_directories(folder.parent_path());
  const fs::path a = folder.string() + ".a.json", bad = folder.string() + ".bad.json";
  std::ofstream(a) << small_trace("3");
  std::ofstream(bad) << "not a trace\n";
  const DiffRun negative = glassbox_diff(folder, a.string() + " " + a.string() + " --rtol -1");
  CHECK(negative.exit_code == 2);
  CHECK(negative.err.find("--rtol: expected a number ≥ 0, got \"-1\"") != std::string::npos);
  const DiffRun word = glassbox_diff(folder, a.string() + " " + a.string() + " --atol abc");
  CHECK(word.exit_code == 2);
  CHECK(word.err.find("--atol: expected a number ≥ 0, got \"abc\"") != std::string::npos);
  const DiffRun one = glassbox_diff(folder, a.string());
  CHECK(one.exit_code == 2);
  CHECK(one.err.find("diff takes two traces, A and B; got 1") != std::string::npos);
  const DiffRun unknown = glassbox_diff(folder, a.string() + " " + a.string() + " --tol 1");
  CHECK(unknown.exit_code == 2);
  const DiffRun not_trace = glassbox_diff(folder, a.string() + " " + bad.string());
  CHECK(not_trace.exit_code == 2);
  CHECK(not_trace.err.find(bad.string() + ":1: the first line is not the header") != std::string::npos);
  const DiffRun missing = glassbox_diff(folder, a.string() + " " + folder.string() + ".none.json");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find(".none.json: cannot open") != std::string::npos);
  fs::remove(a);
  fs::remove(bad);
}

TEST_CASE("glassbox run draws the learning curves beside its trace, and gradcheck, which has no epochs, does not",
          "[glassbox]") {
  const auto run = run_chapter("glassbox", "curves", "run " + spec("examples/xor.json"));
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  std::filesystem::path curves = run.trace;
  curves.replace_extension(".curves.svg");
  REQUIRE(std::filesystem::exists(curves));
  const auto svg = glassbox::testing::read_svg(curves);
  REQUIRE(svg.has_value());
  CHECK(glassbox::testing::count_of(*svg, "classes", "line") >= 1);
  CHECK((*svg)["legend_overlaps"] == 0);
  std::filesystem::remove(curves);
  const auto check = run_chapter("glassbox", "curves-gradcheck", "gradcheck " + spec("examples/relu_kink.json"));
  std::filesystem::path none = check.trace;
  none.replace_extension(".curves.svg");
  CHECK_FALSE(std::filesystem::exists(none));
}

// ---- saved models: run --save, evaluate, predict -------------------------------------------------

namespace {

std::string text_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("glassbox run --save, then evaluate and predict the saved model in fresh processes", "[glassbox]") {
  namespace fs = std::filesystem;
  const fs::path folder = fs::absolute("experiment_test_output/saved_iris");
  const auto run = glassbox::testing::run_in_fresh_folder(
      "glassbox", folder, "run " + spec("examples/iris.json") + " --save models/iris.json --trace t.json > run.txt");
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  REQUIRE(fs::exists(folder / "models/iris.json"));
  const auto trace = nlohmann::json::parse(text_of(folder / "t.json"));
  const double accuracy = trace["result"]["accuracy"].get<double>();  // on the 150 samples, eval mode

  // evaluate: the same accuracy, read from a fresh process that loads the model, and the report's parts.
  const auto cd = "cd '" + folder.string() + "' && " GLASSBOX_BINARY_DIR "/bin/glassbox ";
  REQUIRE(std::system((cd + "evaluate models/iris.json --mistakes 2 > report.txt 2> report.err").c_str()) == 0);
  const std::string report = text_of(folder / "report.txt");
  const auto correct = static_cast<long>(std::lround(accuracy * 150));
  CHECK_THAT(report, Catch::Contains(fmt::format("accuracy {:.4f} ({} of 150)", accuracy, correct)));
  CHECK_THAT(report, Catch::Contains("setosa") && Catch::Contains("virginica") && Catch::Contains("f1-score") &&
                         Catch::Contains("confusion matrix") && Catch::Contains("most confident mistakes"));

  // predict: on the iris file itself (the species column is the model's label column, left out), one
  // line a sample; the lines whose class name is the sample's species are the correct ones evaluate counted.
  REQUIRE(std::system((cd + "predict models/iris.json " GLASSBOX_SOURCE_DIR "/data/iris.csv -o p/pred.csv").c_str()) ==
          0);
  std::ifstream predictions(folder / "p/pred.csv"), samples(GLASSBOX_SOURCE_DIR "/data/iris.csv");
  std::string line, sample;
  std::getline(predictions, line);
  CHECK(line == "index,class,name,probability");
  std::getline(samples, sample);  // the header
  long lines = 0, agree = 0;
  while (std::getline(predictions, line) && std::getline(samples, sample)) {
    ++lines;
    const std::string species = sample.substr(sample.rfind(',') + 1);
    if (line.find("," + species + ",") != std::string::npos) ++agree;
  }
  CHECK(lines == 150);
  CHECK(agree == correct);
}

TEST_CASE("glassbox evaluate and predict: bad input gets a clear message, exit 2 and nothing written", "[glassbox]") {
  namespace fs = std::filesystem;
  const fs::path folder = fs::absolute("experiment_test_output/model_errors");
  fs::remove_all(folder);
  fs::create_directories(folder);
  const auto cd = "cd '" + folder.string() + "' && " GLASSBOX_BINARY_DIR "/bin/glassbox ";
  const auto exit_of = [&](const std::string& args) {
    const int status = std::system((cd + args + " > out.txt 2> err.txt").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  // A spec that was never trained is not a model.
  CHECK(exit_of("evaluate " + spec("examples/xor.json")) == 2);
  CHECK_THAT(text_of(folder / "err.txt"), Catch::Contains("network.layers[0]: not a trained model: no \"weights\""));
  {
    std::ofstream out(folder / "truncated.json");
    out << R"({"name": "x", "network": {"inputs": 2, "layers": [{"units": 1, "weights": [[0.5,)";
  }
  CHECK(exit_of("evaluate truncated.json") == 2);
  CHECK_THAT(text_of(folder / "err.txt"), Catch::StartsWith("glassbox evaluate: error: truncated.json:1:"));
  CHECK(exit_of("evaluate missing.json") == 2);
  CHECK_THAT(text_of(folder / "err.txt"), Catch::Contains("missing.json"));
  CHECK(exit_of("evaluate") == 2);
  CHECK(exit_of("evaluate a.json b.json c.json") == 2);
  CHECK(exit_of("evaluate truncated.json --mistakes -1") == 2);
  CHECK_THAT(text_of(folder / "err.txt"), Catch::Contains("--mistakes: expected a whole number"));
  CHECK(exit_of("predict truncated.json") == 2);
  CHECK(exit_of("predict truncated.json x.csv --bogus") == 2);
  CHECK_THAT(text_of(folder / "err.txt"), Catch::Contains("unknown option \"--bogus\""));

  // A trained model, and inputs it cannot take.
  REQUIRE(exit_of("run " + spec("examples/xor.json") + " --save xor.json --trace-level off") == 0);
  {
    std::ofstream out(folder / "bad.csv");
    out << "a,b\n0,1\n1,x\n";
  }
  CHECK(exit_of("predict xor.json bad.csv -o written.csv") == 2);
  CHECK(text_of(folder / "err.txt") == "glassbox predict: error: bad.csv:3:3: column \"b\": expected a number, found "
                                       "\"x\"\n");
  {
    std::ofstream out(folder / "wide.csv");
    out << "a,b,c\n0,1,2\n";
  }
  CHECK(exit_of("predict xor.json wide.csv -o written.csv") == 2);
  CHECK(text_of(folder / "err.txt") == "glassbox predict: error: wide.csv: 3 columns (besides the model's targets), "
                                       "but the model takes 2 inputs (network.inputs)\n");
  CHECK(exit_of("predict xor.json not_idx_images -o written.csv") == 2);
  CHECK_THAT(text_of(folder / "err.txt"), Catch::Contains("not_idx_images"));
  CHECK_FALSE(fs::exists(folder / "written.csv"));
  // … and ones it can: XOR's four corners, each class with its probability.
  {
    std::ofstream out(folder / "corners.csv");
    out << "x1,x2\n0,0\n0,1\n1,0\n1,1\n";
  }
  REQUIRE(exit_of("predict xor.json corners.csv") == 0);
  CHECK_THAT(text_of(folder / "out.txt"), Catch::StartsWith("index,class,name,probability\n0,0,0,") &&
                                              Catch::Contains("\n1,1,1,") && Catch::Contains("\n2,1,1,") &&
                                              Catch::Contains("\n3,0,0,"));
  const std::string from_csv = text_of(folder / "out.txt");
  // The same corners as an IDX file of four 1×2 images (grey 0 → 0, 255 → 1): the same lines.
  {
    std::ofstream out(folder / "corners-idx3-ubyte", std::ios::binary);
    const unsigned char bytes[] = {0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2,  // magic, 4 images of 1×2
                                   0, 0, 0, 255, 255, 0, 255, 255};
    out.write(reinterpret_cast<const char*>(bytes), sizeof bytes);
  }
  REQUIRE(exit_of("predict xor.json corners-idx3-ubyte") == 0);
  CHECK(text_of(folder / "out.txt") == from_csv);

  // evaluate on a DATA file: the corners (XOR's own data) and, refused with DATA's name, one too wide.
  {
    std::ofstream out(folder / "corners.json");
    out << R"({"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [0, 1, 1, 0]})";
  }
  REQUIRE(exit_of("evaluate xor.json corners.json") == 0);
  CHECK_THAT(text_of(folder / "out.txt"), Catch::Contains("accuracy 1.0000 (4 of 4)") && Catch::Contains("no mistakes"));
  {
    std::ofstream out(folder / "wide.json");
    out << R"({"inputs": [[0, 0, 0]], "targets": [0]})";
  }
  CHECK(exit_of("evaluate xor.json wide.json") == 2);
  CHECK_THAT(text_of(folder / "err.txt"), Catch::StartsWith("glassbox evaluate: error: wide.json: data.inputs[0]: "));

  // A spec's test samples: printed after the run, kept in the model, what evaluate reports on.
  {
    std::ifstream in(GLASSBOX_SOURCE_DIR "/examples/xor.json");
    nlohmann::json xor_spec = nlohmann::json::parse(in);
    xor_spec["test"] = nlohmann::json::parse(R"({"inputs": [[1, 1], [0, 1], [1, 0]], "targets": [0, 1, 1]})");
    std::ofstream out(folder / "xor_test.json");
    out << xor_spec.dump();
  }
  REQUIRE(exit_of("run xor_test.json --save xor_test_model.json --trace-level off") == 0);
  CHECK_THAT(text_of(folder / "out.txt"), Catch::Contains("accuracy 1.0000 (3 samples)"));
  REQUIRE(exit_of("evaluate xor_test_model.json") == 0);
  CHECK_THAT(text_of(folder / "out.txt"), Catch::Contains("3 samples") && Catch::Contains("accuracy 1.0000 (3 of 3)"));
}

// ---- the trace window, the progress line ---------------------------------------------------------

TEST_CASE("glassbox run --trace-steps A:B and --trace-every-epoch trace those steps in full, the rest in summary",
          "[glassbox]") {
  // iris: 150 samples in batches of 16, 10 steps an epoch, 50 epochs.
  const auto run = run_chapter("glassbox", "iris_window",
                               "run " + spec("examples/iris.json") + " --trace-steps 3:4 --trace-every-epoch");
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  const auto trace = run.document();
  CHECK(trace["trace_level"] == "full");
  std::set<long> full_steps, step_steps;
  long epochs = 0;
  for (const auto& e : trace["events"]) {
    if (e["event"] == "forward" || e["event"] == "backward" || e["event"] == "update")
      full_steps.insert(e["step"].get<long>());
    if (e["event"] == "step") step_steps.insert(e["step"].get<long>());
    if (e["event"] == "epoch") ++epochs;
  }
  std::set<long> expected{3, 4};
  for (long epoch = 0; epoch < 50; ++epoch) expected.insert(epoch * 10 + 1);  // 1, 11, …, 491
  CHECK(full_steps == expected);
  CHECK(step_steps == expected);
  CHECK(epochs == 50);  // every epoch event, as at level summary

  // A window needs the full level.
  const auto refused = run_chapter("glassbox", "iris_window_summary",
                                   "run " + spec("examples/iris.json") + " --trace-steps 3:4 --trace-level summary");
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.stderr_text, Catch::Contains("trace.steps: a window of steps traced in full needs trace.level"));
  CHECK_FALSE(refused.trace_written);
  const auto bad = run_chapter("glassbox", "iris_window_bad", "run " + spec("examples/iris.json") + " --trace-steps 4:3");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.stderr_text, Catch::Contains("--trace-steps: expected A:B"));
}

TEST_CASE("glassbox run: the trace estimate counts only the window, and the refusal names the window options",
          "[glassbox]") {
  // iris at level full with a limit of 1 MB: every step traced (about 3.6 MB estimated: 50 epochs of 150
  // samples) would not fit; two steps (about 57 kB written) do.
  const auto refused =
      run_chapter("glassbox", "iris_full_limit", "run " + spec("examples/iris.json") + " --trace-level full --trace-max-size 1M");
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.stderr_text, Catch::Contains("--trace-steps A:B or --trace-every-epoch"));
  const auto window = run_chapter("glassbox", "iris_window_limit",
                                  "run " + spec("examples/iris.json") + " --trace-steps 1:2 --trace-max-size 1M");
  INFO(window.stderr_text);
  CHECK(window.exit_code == 0);
}

TEST_CASE("glassbox run: output that is not a terminal gets plain lines, no progress line", "[glassbox]") {
  namespace fs = std::filesystem;
  const fs::path folder = fs::absolute("experiment_test_output/plain_progress");
  const auto run = glassbox::testing::run_in_fresh_folder("glassbox", folder,
                                                          "run " + spec("examples/iris.json") + " > out.txt");
  REQUIRE(run.exit_code == 0);
  const std::string out = text_of(folder / "out.txt");
  CHECK_THAT(out, Catch::Contains("epoch") && Catch::Contains("accuracy"));
  CHECK(out.find('\r') == std::string::npos);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find("batch 1/10") == std::string::npos);  // the progress line's text
}
