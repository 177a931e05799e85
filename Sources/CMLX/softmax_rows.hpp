// The row softmax kernel shared by the softmax primitive and the fused attention kernel.
#pragma once

#include <cstddef>

#include "mlx/array.h"

namespace cmlx {

/// output[r, :] = softmax(input[r, :]) for `rows` rows of `length` floats (input may equal output),
/// split over the machine's cores when there are enough rows.
void softmax_rows(const float* input, float* output, size_t rows, size_t length);

/// rows[r, :] = exp(rows[r, :] − max), in place on the calling thread, and inverse_sums[r] = 1 / Σ:
/// softmax without its last pass, for a caller that scales a smaller product instead (attention
/// scales P·V's rows, D values each, rather than P's, S each).
void unnormalised_softmax_rows(float* rows, size_t count, size_t length, float* inverse_sums);

/// The softmax primitive over the last axis of `a` (as float32) on the CPU stream; its gradient
/// comes from MLX ops.
mlx::core::array cpu_softmax_last_axis(const mlx::core::array& a);

}  // namespace cmlx
