// Definitions shared by the CMLX translation units; not part of the C API.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cmlx.h"
#include "mlx/mlx.h"

namespace mx = mlx::core;

struct mlxc_array_ {
  mx::array value;
};
struct mlxc_vector_ {
  std::vector<mx::array> values;
};
using MLXFunction = std::function<std::vector<mx::array>(const std::vector<mx::array>&)>;
struct mlxc_closure_ {
  MLXFunction function;
};

namespace cmlx {

void set_error(const std::string& message);

/// A failure inside a kernel running on a stream's worker thread, where an escaping exception
/// would call std::terminate (see `guarded_kernel`); reported by the next entry point to return.
void record_kernel_failure(const std::string& message);
/// The recorded failure, cleared; empty when there is none.
std::string take_kernel_failure();

/// Runs body; converts any C++ exception into a status and this thread's message.
template <typename Body>
int guarded(Body&& body) noexcept {
  try {
    body();
    // The evaluation this call waited for may have failed on the worker thread.
    const std::string failure = take_kernel_failure();
    if (failure.empty()) return 0;
    set_error(failure);
    return 1;
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception inside MLX");
  }
  return 1;
}

inline void emit(mx::array value, mlxc_array* out) {
  *out = new mlxc_array_{std::move(value)};
}

inline mx::Shape to_shape(const int32_t* shape, int ndim) {
  if (ndim < 0) throw std::invalid_argument("negative rank");
  return mx::Shape(shape, shape + ndim);
}

inline std::vector<int> to_ints(const int32_t* values, int count) {
  if (count < 0) throw std::invalid_argument("negative count");
  return std::vector<int>(values, values + count);
}

mx::Dtype to_dtype(int code);
int from_dtype(mx::Dtype dtype);

}  // namespace cmlx
