// What every CMLX CPU primitive does before its kernel runs.
#pragma once

#include <cstdlib>
#include <new>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

#include "internal.hpp"
#include "mlx/backend/cpu/encoder.h"

namespace cmlx {

/// Checks that the inputs are row-contiguous float32 (the entry points make them so), allocates
/// the outputs and registers the arrays with the stream's command encoder, which the caller then
/// asks to `dispatch` the kernel.
inline mx::cpu::CommandEncoder& begin_float32_kernel(const char* name, const std::vector<mx::array>& inputs,
                                                     std::vector<mx::array>& outputs, mx::Stream stream) {
  for (const auto& array : inputs) {
    if (!array.flags().row_contiguous || array.dtype() != mx::float32) {
      throw std::runtime_error(std::string(name) + " needs row-contiguous float32 inputs");
    }
  }
  auto& encoder = mx::cpu::get_command_encoder(stream);
  for (const auto& array : inputs) encoder.set_input_array(array);
  for (auto& array : outputs) {
    array.set_data(mx::allocator::malloc(array.nbytes()));
    encoder.set_output_array(array);
  }
  return encoder;
}

/// The same for a primitive with one output.
inline mx::cpu::CommandEncoder& begin_float32_kernel(const char* name, const std::vector<mx::array>& inputs, mx::array& out,
                                                     mx::Stream stream) {
  std::vector<mx::array> outputs = {out};  // arrays share their data: allocating the copy allocates `out`
  return begin_float32_kernel(name, inputs, outputs, stream);
}

/// Wraps a kernel for `CommandEncoder::dispatch`: it runs on the stream's worker thread, where an
/// exception (std::bad_alloc for a scratch buffer, above all) would terminate the process. The
/// failure is recorded instead and the entry point that waited for the evaluation returns it.
///
/// Crash testing: `LATENT_PRIOR_FAULT_INJECTION=kernel-bad-alloc:<name>` makes the named kernel
/// throw std::bad_alloc as a failed scratch allocation would (read per dispatch: one getenv).
template <typename Kernel>
auto guarded_kernel(const char* name, Kernel&& kernel) {
  return [name, kernel = std::forward<Kernel>(kernel)]() mutable {
    try {
      if (const char* request = std::getenv("LATENT_PRIOR_FAULT_INJECTION")) {
        if (std::string(request) == std::string("kernel-bad-alloc:") + name) throw std::bad_alloc();
      }
      kernel();
    } catch (const std::bad_alloc&) {
      record_kernel_failure(std::string(name) + " kernel: out of memory for its scratch buffers");
    } catch (const std::exception& e) {
      record_kernel_failure(std::string(name) + " kernel: " + e.what());
    } catch (...) {
      record_kernel_failure(std::string(name) + " kernel: unknown failure");
    }
  };
}

}  // namespace cmlx
