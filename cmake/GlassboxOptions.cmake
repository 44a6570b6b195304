# Compile settings shared by every glassbox target, as an interface target (nothing global).
#
# -ffp-contract=off: the compiler may not fuse a*b+c into one FMA instruction. Fused and unfused
# results differ in the last bit, and traces must be byte-identical on every machine, including a
# -march=native build on a CPU with FMA. It is part of the installed package too: a consumer that
# compiles glassbox's inline functions gets the same bits.
#
# -march=native, the sanitizers and the fuzzer's coverage instrumentation are choices for this build
# tree only ($<BUILD_INTERFACE:…>): an installed glassbox never hands them to a consumer's targets
# (tests/cmake/no_leaked_flags.cmake).
#
# GLASSBOX_TSAN builds everything with ThreadSanitizer, to check the thread pool (core/thread_pool)
# and every product split over it (cmake --preset tsan; ctest --preset tsan).
#
# GLASSBOX_FUZZ builds the library with AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's
# coverage instrumentation (-fsanitize=fuzzer-no-link), for the fuzz targets in fuzz/. Only Clang
# has libFuzzer.
if(GLASSBOX_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "GLASSBOX_FUZZ needs Clang (libFuzzer comes with it), but the C++ compiler is "
    "${CMAKE_CXX_COMPILER_ID} (${CMAKE_CXX_COMPILER}). Use the preset: cmake --preset fuzz "
    "(Debian: apt-get install clang libclang-rt-14-dev llvm), or scripts/fuzz.")
endif()

add_library(glassbox_settings INTERFACE)
target_compile_features(glassbox_settings INTERFACE cxx_std_20)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(glassbox_settings INTERFACE -ffp-contract=off)
  if(GLASSBOX_NATIVE)
    target_compile_options(glassbox_settings INTERFACE $<BUILD_INTERFACE:-march=native>)
  endif()
  if(GLASSBOX_SANITIZE OR GLASSBOX_FUZZ)
    set(sanitizers -fsanitize=address$<COMMA>undefined)
    target_compile_options(glassbox_settings INTERFACE $<BUILD_INTERFACE:${sanitizers}>
      $<BUILD_INTERFACE:-fno-sanitize-recover=all> $<BUILD_INTERFACE:-fno-omit-frame-pointer>)
    target_link_options(glassbox_settings INTERFACE $<BUILD_INTERFACE:${sanitizers}>)
  endif()
  if(GLASSBOX_TSAN)
    if(GLASSBOX_SANITIZE OR GLASSBOX_FUZZ)
      message(FATAL_ERROR "GLASSBOX_TSAN cannot be combined with GLASSBOX_SANITIZE or GLASSBOX_FUZZ: "
        "ThreadSanitizer and AddressSanitizer exclude each other. Use the preset: cmake --preset tsan")
    endif()
    target_compile_options(glassbox_settings INTERFACE $<BUILD_INTERFACE:-fsanitize=thread>
      $<BUILD_INTERFACE:-fno-omit-frame-pointer>)
    target_link_options(glassbox_settings INTERFACE $<BUILD_INTERFACE:-fsanitize=thread>)
  endif()
  if(GLASSBOX_FUZZ)
    target_compile_options(glassbox_settings INTERFACE $<BUILD_INTERFACE:-fsanitize=fuzzer-no-link>)
  endif()
endif()

# Warnings are for our own targets only (PRIVATE where used), never pushed onto consumers.
add_library(glassbox_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(glassbox_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion)
endif()
