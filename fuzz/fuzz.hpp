// fuzz/fuzz.hpp — what the fuzz targets share: the exceptions that are expected rejections, what a
// finding does, and a scratch folder of their own.
//
// A fuzz target hands libFuzzer's bytes to the library. The library may refuse them only with an
// exception it documents for bad input (core/error.hpp): InputError (and SpecError), ShapeError,
// UsageError. Anything else is a finding: another exception escaping (std::out_of_range from
// nlohmann, std::bad_alloc, …) ends in std::terminate, which prints its type and what(); a broken
// promise about the result calls finding(), which aborts; crashes, sanitizer reports, leaks and
// hangs libFuzzer reports itself. Each finding is saved as crash-*, leak-*, timeout-* or oom-*.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "glassbox/core/error.hpp"

namespace glassbox::fuzz {

// Runs `work`; an exception the library documents for bad input is an expected rejection (false),
// any other escapes. True if `work` returned.
template <typename Work>
bool accepted(Work&& work) {
  try {
    work();
    return true;
  } catch (const InputError&) {  // SpecError too
  } catch (const ShapeError&) {
  } catch (const UsageError&) {
  }
  return false;
}

// A broken promise: says which, and aborts (libFuzzer saves the input as crash-*).
[[noreturn]] inline void finding(std::string_view what) {
  std::fprintf(stderr, "FINDING: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// A folder of this process's own under the system's temporary folder ($TMPDIR, else /tmp),
// created on first use and removed when the process exits normally (a crash leaves it; scripts/fuzz
// gives each run a TMPDIR of its own, in /dev/shm where it can, and removes that).
inline const std::filesystem::path& scratch_folder() {
  static const std::filesystem::path folder = [] {
    auto p = std::filesystem::temp_directory_path() / ("glassbox-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_folder(), ec);
    });
    return p;
  }();
  return folder;
}

// Writes a new file (the old one removed first: truncating a file in place makes some file systems
// write it to disk at once, which slows a fuzzer down many times over).
inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) finding("the fuzz target cannot write its scratch file " + path.string());
}

}  // namespace glassbox::fuzz
