# Compile settings shared by every glassbox target, as an interface target (nothing global).
#
# -ffp-contract=off: the compiler may not fuse a*b+c into one FMA instruction. Fused and unfused
# results differ in the last bit, and traces must be byte-identical on every machine, including a
# -march=native build on a CPU with FMA.
add_library(glassbox_settings INTERFACE)
target_compile_features(glassbox_settings INTERFACE cxx_std_20)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(glassbox_settings INTERFACE -ffp-contract=off)
  if(GLASSBOX_NATIVE)
    target_compile_options(glassbox_settings INTERFACE -march=native)
  endif()
  if(GLASSBOX_SANITIZE)
    target_compile_options(glassbox_settings INTERFACE
      -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(glassbox_settings INTERFACE -fsanitize=address,undefined)
  endif()
endif()

# Warnings are for our own targets only (PRIVATE where used), never pushed onto consumers.
add_library(glassbox_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(glassbox_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion)
endif()
