// Per-thread error message: set by a failing entry point (or a failing callback), read by Swift.
#include "internal.hpp"

namespace {
thread_local std::string last_error;
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
