// fuzz/fuzz_spec.cpp — the experiment spec reader and checker (io/spec.hpp, experiment/experiment.hpp).
//
// Feeds: the input bytes as the text of a spec, to parse_json_text() and, if it is JSON, to
// parse_experiment() as "<scratch>/spec.json": a CSV file the spec names is looked up in a scratch
// folder that holds three small ones (iris.csv, points.csv, labels.csv). A spec whose data.csv is
// an absolute path or climbs out with ".." is skipped: the fuzzer must not read the machine's files.
// Expected rejection: InputError and SpecError (malformed JSON, a spec that is wrong, with its JSON
// path), as fuzz.hpp lists.
// Finding: any other exception, a crash, a sanitizer report, a hang, memory beyond libFuzzer's
// -rss_limit_mb; or a spec that passes the checker and then breaks its promises — "checked
// completely before anything runs" (building its network, loss and optimizer throws), and
// "parse_experiment(to_json(e), e.source) gives back the same experiment" (it does not read back,
// or writes back differently).
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "glassbox/experiment/experiment.hpp"
#include "glassbox/io/spec.hpp"

#include "fuzz.hpp"

using namespace glassbox;

namespace {

// Whether the spec's data.csv would read a file outside the scratch folder.
bool reads_outside(const Json& spec) {
  if (!spec.is_object() || !spec.contains("data") || !spec["data"].is_object()) return false;
  const Json& data = spec["data"];
  if (!data.contains("csv") || !data["csv"].is_string()) return false;
  const std::filesystem::path csv(data["csv"].get<std::string>());
  if (csv.is_absolute() || csv.has_root_name() || csv.has_root_directory()) return true;
  for (const auto& part : csv)
    if (part == "..") return true;
  return false;
}

std::size_t weights(const Experiment& e) {
  std::size_t total = 0, in = e.inputs;
  for (const LayerSpec& l : e.layers) {
    total += l.units * in;
    in = l.units;
  }
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& folder = fuzz::scratch_folder();
  fuzz::write_file(folder / "iris.csv",
                   "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species\n"
                   "5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n"
                   "6.4,3.2,4.5,1.5,versicolor\n6.3,3.3,6.0,2.5,virginica\n5.8,2.7,5.1,1.9,virginica\n");
  fuzz::write_file(folder / "points.csv", "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
  fuzz::write_file(folder / "labels.csv", "a,b,\"class\"\n0.5,-1,yes\n1e3,2,no\n-0,3,maybe\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Json spec;
  if (!fuzz::accepted([&] { spec = parse_json_text(text, "fuzz.json"); })) return 0;
  if (reads_outside(spec)) return -1;  // not kept in the corpus

  const std::string source = (fuzz::scratch_folder() / "spec.json").string();
  std::optional<Experiment> e;
  if (!fuzz::accepted([&] { e = parse_experiment(spec, source); })) return 0;

  // Checked completely before anything runs: what a run builds first builds without complaint
  // (only for networks small enough to build in a moment).
  if (weights(*e) <= 1'000'000) {
    try {
      Rng rng = e->rng_at_start;
      (void)build_network(*e, rng);
      (void)make_loss(*e);
      (void)make_optimizer(*e);
    } catch (const std::exception& x) {
      fuzz::finding(std::string("a spec the checker accepted fails to build: ") + x.what());
    }
  }

  // The spec written back with every default reads back as the same experiment.
  const Json written = to_json(*e);
  std::optional<Experiment> again;
  try {
    again = parse_experiment(parse_json_text(written.dump(), "written.json"), e->source);
  } catch (const std::exception& x) {
    fuzz::finding(std::string("the spec written back by to_json() does not read back: ") + x.what());
  }
  if (to_json(*again).dump() != written.dump()) fuzz::finding("the spec written back reads back differently");
  return 0;
}
