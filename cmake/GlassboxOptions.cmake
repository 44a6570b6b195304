# Compile settings shared by every glassbox target, as an interface target (nothing global).
#
# -ffp-contract=off: the compiler may not fuse a*b+c into one FMA instruction. Fused and unfused
# results differ in the last bit, and traces must be byte-identical on every machine, including a
# -march=native build on a CPU with FMA. It is part of the installed package too: a consumer that
# compiles glassbox's inline functions gets the same bits.
#
# -march=native and the sanitizers are choices for this build tree only ($<BUILD_INTERFACE:…>): an
# installed glassbox never hands them to a consumer's targets (tests/cmake/no_leaked_flags.cmake).
add_library(glassbox_settings INTERFACE)
target_compile_features(glassbox_settings INTERFACE cxx_std_20)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(glassbox_settings INTERFACE -ffp-contract=off)
  if(GLASSBOX_NATIVE)
    target_compile_options(glassbox_settings INTERFACE $<BUILD_INTERFACE:-march=native>)
  endif()
  if(GLASSBOX_SANITIZE)
    set(sanitizers -fsanitize=address$<COMMA>undefined)
    target_compile_options(glassbox_settings INTERFACE $<BUILD_INTERFACE:${sanitizers}>
      $<BUILD_INTERFACE:-fno-sanitize-recover=all> $<BUILD_INTERFACE:-fno-omit-frame-pointer>)
    target_link_options(glassbox_settings INTERFACE $<BUILD_INTERFACE:${sanitizers}>)
  endif()
endif()

# Warnings are for our own targets only (PRIVATE where used), never pushed onto consumers.
add_library(glassbox_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(glassbox_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion)
endif()
