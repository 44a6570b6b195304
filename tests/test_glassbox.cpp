// Tests of the glassbox program (tools/glassbox): what `glassbox run` and `glassbox gradcheck`
// write and which exit code they give, read back from their traces.
#include <catch2/catch.hpp>

#include <string>

#include "chapter_run.hpp"

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
  CHECK(left_in(folder) == std::vector<std::string>{"traces", "traces/xor.gradcheck.json", "traces/xor.json"});
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
