// glassbox/core/kernel_avx512.cpp — the product kernel with 8 doubles per register (AVX-512F;
// compiled with -mavx512f, lib/CMakeLists.txt): an 8×16 register tile, which the 32 registers of
// AVX-512 hold. Used only where the processor has AVX-512F.
#include "kernel_widths.hpp"

#if GLASSBOX_KERNEL_X86
#define GLASSBOX_KERNEL_NAMESPACE avx512
#define GLASSBOX_KERNEL_BYTES 64
#define GLASSBOX_KERNEL_TILE_ROWS 8
#define GLASSBOX_KERNEL_TILE_VECS 2
#include "kernel_impl.hpp"
#endif
