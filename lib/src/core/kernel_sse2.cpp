// glassbox/core/kernel_sse2.cpp — the product kernel with 2 doubles per register: SSE2, which every
// x86-64 processor has (a 4×4 register tile). Elsewhere, the plain-scalar version (4×4 scalars).
#include "kernel_widths.hpp"

#if GLASSBOX_KERNEL_X86
#define GLASSBOX_KERNEL_NAMESPACE sse2
#define GLASSBOX_KERNEL_BYTES 16
#define GLASSBOX_KERNEL_TILE_ROWS 4
#define GLASSBOX_KERNEL_TILE_VECS 2
#else
#define GLASSBOX_KERNEL_NAMESPACE scalar
#define GLASSBOX_KERNEL_BYTES 0
#define GLASSBOX_KERNEL_TILE_ROWS 4
#define GLASSBOX_KERNEL_TILE_VECS 4
#endif
#include "kernel_impl.hpp"
