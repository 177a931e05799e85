// Per-thread error message: set by a failing entry point (or a failing callback), read by Swift.
#include "internal.hpp"

#include <mutex>

namespace {
thread_local std::string last_error;
std::mutex kernel_failure_lock;
std::string kernel_failure;
}

void cmlx::record_kernel_failure(const std::string& message) {
  std::lock_guard<std::mutex> hold(kernel_failure_lock);
  if (kernel_failure.empty()) kernel_failure = message;  // the first failure is the cause
}

std::string cmlx::take_kernel_failure() {
  std::lock_guard<std::mutex> hold(kernel_failure_lock);
  std::string message;
  message.swap(kernel_failure);
  return message;
}

void cmlx::set_error(const std::string& message) {
  last_error = message;
}

extern "C" const char* mlxc_last_error(void) {
  return last_error.c_str();
}

extern "C" void mlxc_set_error(const char* message) {
  last_error = message ? message : "";
}
