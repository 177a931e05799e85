// Devices, memory statistics, version, and which BLAS serves MLX's CPU kernels.
#include <dlfcn.h>

#include <cstring>

#include "blas.hpp"
#include "internal.hpp"

using namespace cmlx;

extern "C" {

int mlxc_set_default_device(int device_type) {
  return guarded([&] {
    auto device = device_type == MLXC_GPU ? mx::Device::gpu : mx::Device::cpu;
    if (!mx::is_available(device)) {
      throw std::runtime_error(std::string(device_type == MLXC_GPU ? "gpu" : "cpu") +
                               " device is not available in this MLX build");
    }
    mx::set_default_device(device);
  });
}

int mlxc_default_device(void) {
  return mx::default_device().type == mx::Device::gpu ? MLXC_GPU : MLXC_CPU;
}

bool mlxc_gpu_is_available(void) {
  try {
    return mx::is_available(mx::Device::gpu);
  } catch (...) {
    return false;
  }
}

size_t mlxc_active_memory(void) { return mx::get_active_memory(); }
size_t mlxc_peak_memory(void) { return mx::get_peak_memory(); }
void mlxc_reset_peak_memory(void) { mx::reset_peak_memory(); }
size_t mlxc_cache_memory(void) { return mx::get_cache_memory(); }
void mlxc_clear_cache(void) { mx::clear_cache(); }
size_t mlxc_set_memory_limit(size_t limit) { return mx::set_memory_limit(limit); }
const char* mlxc_version(void) { return mx::version(); }

namespace {
void copy_library_path(const void* symbol, const char* what, char* buffer, size_t capacity) {
  Dl_info info{};
  if (!symbol || !dladdr(symbol, &info) || !info.dli_fname) {
    throw std::runtime_error(std::string(what) + " is not loaded");
  }
  if (capacity == 0) return;
  std::strncpy(buffer, info.dli_fname, capacity - 1);
  buffer[capacity - 1] = 0;
}
}  // namespace

int mlxc_mlx_library(char* buffer, size_t capacity) {
  return guarded([&] { copy_library_path(reinterpret_cast<const void*>(&mx::version), "libmlx", buffer, capacity); });
}

int mlxc_blas_library(char* buffer, size_t capacity) {
  // Global lookup order is the order libmlx's own references bind in.
  return guarded([&] { copy_library_path(dlsym(RTLD_DEFAULT, "cblas_sgemm"), "cblas_sgemm", buffer, capacity); });
}

int mlxc_openblas_corename(char* buffer, size_t capacity) {
  return guarded([&] {
    if (capacity == 0) return;
    buffer[0] = 0;
    using CoreName = char* (*)();
    auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    if (core_name == nullptr) return;
    std::strncpy(buffer, core_name(), capacity - 1);
    buffer[capacity - 1] = 0;
  });
}

}  // extern "C"

void mlxc_begin_concurrent_streams(void) { cmlx::concurrent_streams().fetch_add(1); }

void mlxc_end_concurrent_streams(void) { cmlx::concurrent_streams().fetch_sub(1); }
