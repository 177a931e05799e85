// glibc malloc settings for MLX's CPU allocator (mlxc_keep_buffers_in_heap).
//
// Why: MLX's CPU allocator mallocs and frees every intermediate array. glibc serves allocations
// above its mmap threshold with fresh mmaps and returns freed heap tops to the system, so each
// large activation is mapped and zeroed page by page again: in a Stable Diffusion UNet call about a
// fifth of the CPU time went to the kernel's page clearing (docs/BENCHMARKS.md). Buffers up to
// glibc's largest threshold (32 MiB) stay in the heap and the heap is not trimmed, so they are reused.
#include "internal.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

extern "C" void mlxc_keep_buffers_in_heap(void) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // give memory back only above 1 GiB of free heap top
#endif
}
