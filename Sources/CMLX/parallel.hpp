// Splitting a CPU kernel's loop over the machine's cores.
//
// Why: MLX runs each CPU primitive on its stream's one thread; only BLAS calls use more cores. A
// kernel that streams a large activation (softmax rows, GroupNorm, Winograd transforms) then runs
// at one core's speed while the others wait.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace cmlx {

/// Threads a kernel may use: the hardware's, at most 8 (these kernels stream memory).
inline size_t kernel_thread_count() {
  static const size_t count = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  return count;
}

/// Calls body(begin, end) on contiguous, disjoint parts of [0, count) that together cover it, in
/// parallel when each part gets at least `minimum_part` items (below that a thread costs more than
/// it saves). The calling thread takes the first part. Each part must be independent of the others.
template <typename Body>
void parallel_for(size_t count, size_t minimum_part, Body&& body) {
  const size_t parts = std::min(kernel_thread_count(), std::max<size_t>(1, count / std::max<size_t>(1, minimum_part)));
  if (parts <= 1) {
    if (count > 0) body(size_t{0}, count);
    return;
  }
  const size_t step = (count + parts - 1) / parts;
  std::vector<std::thread> workers;
  workers.reserve(parts - 1);
  for (size_t begin = step; begin < count; begin += step) {
    workers.emplace_back([&body, begin, end = std::min(count, begin + step)] { body(begin, end); });
  }
  body(size_t{0}, std::min(count, step));
  for (auto& worker : workers) worker.join();
}

/// parallel_for over `rows` rows of `row_length` elements each, a part holding at least
/// `minimum_part_elements` elements (rows are never split).
template <typename Body>
void parallel_for_rows(size_t rows, size_t row_length, size_t minimum_part_elements, Body&& body) {
  parallel_for(rows, std::max<size_t>(1, minimum_part_elements / std::max<size_t>(1, row_length)), body);
}

}  // namespace cmlx
