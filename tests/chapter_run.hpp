// Runs a chapter program from a test and reads back what it wrote: the exit code, stderr, and
// the trace (a JSON document), so a chapter's claims are checked on the real program's output.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace glassbox::testing {

struct ChapterRun {
  int exit_code = -1;
  std::string stderr_text;
  std::filesystem::path trace;
  bool trace_written = false;

  nlohmann::json document() const {
    std::ifstream in(trace);
    return nlohmann::json::parse(in);
  }
};

// Runs build/<preset>/bin/<chapter> with `arguments` and --quiet --trace <work>/<name>-<pid>.json
// (the process id keeps test cases that ctest runs in parallel apart).
inline ChapterRun run_chapter(const std::string& chapter, const std::string& name, const std::string& arguments) {
  namespace fs = std::filesystem;
  const fs::path work = fs::path("chapter_test_output") / chapter;
  fs::create_directories(work);
  ChapterRun run;
  const std::string stem = name + "-" + std::to_string(::getpid());
  run.trace = work / (stem + ".json");
  const fs::path err = work / (stem + ".stderr");
  fs::remove(run.trace);
  const std::string command = std::string(GLASSBOX_BINARY_DIR "/bin/") + chapter + " --quiet --trace " +
                              run.trace.string() + " " + arguments + " 2> " + err.string();
  const int status = std::system(command.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err);
  std::stringstream text;
  text << in.rdbuf();
  run.stderr_text = text.str();
  run.trace_written = fs::exists(run.trace);
  return run;
}

// Runs build/<preset>/bin/<program> with `arguments` as they are (no --trace: the program's default
// trace path) in `folder`, made fresh and empty, so a test sees everything the run left there.
// stderr goes to "<folder>.stderr", beside it.
inline ChapterRun run_in_fresh_folder(const std::string& program, const std::filesystem::path& folder,
                                      const std::string& arguments) {
  namespace fs = std::filesystem;
  fs::remove_all(folder);
  fs::create_directories(folder);
  const fs::path err = fs::absolute(folder).string() + ".stderr";
  const std::string command = "cd '" + folder.string() + "' && " + GLASSBOX_BINARY_DIR "/bin/" + program + " " +
                              arguments + " 2> '" + err.string() + "'";
  const int status = std::system(command.c_str());
  ChapterRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err);
  std::stringstream text;
  text << in.rdbuf();
  run.stderr_text = text.str();
  return run;
}

// Every file and folder under `folder`, as paths relative to it, sorted: what a run left there.
inline std::vector<std::string> left_in(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder))
    names.push_back(std::filesystem::relative(entry.path(), folder).generic_string());
  std::sort(names.begin(), names.end());
  return names;
}

// The trace of one run of `chapter` with `arguments`, run once per test process and kept (each
// TEST_CASE is its own process under CTest, so a chapter runs once per test that asks).
inline const nlohmann::json& trace_of(const std::string& chapter, const std::string& arguments) {
  static std::map<std::string, nlohmann::json> cache;
  const std::string key = chapter + " " + arguments;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const ChapterRun run = run_chapter(chapter, "run", arguments);
  if (run.exit_code != 0)
    throw std::runtime_error(chapter + " " + arguments + " exited with " + std::to_string(run.exit_code) + ": " +
                             run.stderr_text);
  return cache.emplace(key, run.document()).first->second;
}

inline std::string iris_path() { return GLASSBOX_SOURCE_DIR "/data/iris.csv"; }
inline std::string csv_fixture(const std::string& name) { return GLASSBOX_SOURCE_DIR "/tests/data/csv/" + name; }

}  // namespace glassbox::testing
