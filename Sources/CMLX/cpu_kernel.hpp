// What every CMLX CPU primitive does before its kernel runs.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "internal.hpp"
#include "mlx/backend/cpu/encoder.h"

namespace cmlx {

/// Checks that the inputs are row-contiguous float32 (the entry points make them so), allocates
/// `out` and registers the arrays with the stream's command encoder, which the caller then asks to
/// `dispatch` the kernel.
inline mx::cpu::CommandEncoder& begin_float32_kernel(const char* name, const std::vector<mx::array>& inputs, mx::array& out,
                                                     mx::Stream stream) {
  for (const auto& array : inputs) {
    if (!array.flags().row_contiguous || array.dtype() != mx::float32) {
      throw std::runtime_error(std::string(name) + " needs row-contiguous float32 inputs");
    }
  }
  out.set_data(mx::allocator::malloc(out.nbytes()));
  auto& encoder = mx::cpu::get_command_encoder(stream);
  for (const auto& array : inputs) encoder.set_input_array(array);
  encoder.set_output_array(out);
  return encoder;
}

}  // namespace cmlx
