// glassbox/core/kernel_avx2.cpp — the product kernel with 4 doubles per register (AVX2; compiled
// with -mavx2, lib/CMakeLists.txt): a 4×8 register tile. Used only where the processor has AVX2.
#include "kernel_widths.hpp"

#if GLASSBOX_KERNEL_X86
#define GLASSBOX_KERNEL_NAMESPACE avx2
#define GLASSBOX_KERNEL_BYTES 32
#define GLASSBOX_KERNEL_TILE_ROWS 4
#define GLASSBOX_KERNEL_TILE_VECS 2
#include "kernel_impl.hpp"
#endif
