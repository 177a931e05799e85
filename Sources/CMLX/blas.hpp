// The BLAS that libmlx calls, for CMLX's own CPU kernels.
#pragma once

#include <dlfcn.h>

#include <stdexcept>

namespace cmlx {

// cblas_sgemm of the BLAS libmlx uses (OpenBLAS on Linux after `make setup`, Accelerate on macOS),
// looked up at run time so CMLX needs no BLAS at link time.
using SgemmFunction = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                               int lda, const float* b, int ldb, float beta, float* c, int ldc);
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

inline SgemmFunction sgemm() {
  static SgemmFunction function = reinterpret_cast<SgemmFunction>(dlsym(RTLD_DEFAULT, "cblas_sgemm"));
  if (function == nullptr) throw std::runtime_error("cblas_sgemm is not loaded (libmlx's BLAS)");
  return function;
}

}  // namespace cmlx
