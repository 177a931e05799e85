// The row softmax kernel shared by the softmax primitive and the fused attention kernel.
#pragma once

#include <cstddef>

#include "mlx/array.h"

namespace cmlx {

/// output[r, :] = softmax(input[r, :]) for `rows` rows of `length` floats (input may equal output),
/// split over the machine's cores when there are enough rows.
void softmax_rows(const float* input, float* output, size_t rows, size_t length);

/// The same on the calling thread alone (for kernels that split their work over the cores already).
void softmax_rows_on_this_thread(const float* input, float* output, size_t rows, size_t length);

/// The softmax primitive over the last axis of `a` (as float32) on the CPU stream; its gradient
/// comes from MLX ops.
mlx::core::array cpu_softmax_last_axis(const mlx::core::array& a);

}  // namespace cmlx
