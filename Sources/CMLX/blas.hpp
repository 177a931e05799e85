// The BLAS that libmlx calls, for CMLX's own CPU kernels.
#pragma once

#include <atomic>

#include <dlfcn.h>

#include <stdexcept>

#include "parallel.hpp"

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

/// While alive, OpenBLAS runs each product on the calling thread alone, so that a kernel's own
/// threads can each run products of their own side by side (one core each, operands in that core's
/// cache) instead of every product being split over all cores and joined. `available()` is false
/// where the BLAS has no such control (Accelerate); the caller then runs its products one by one.
/// The count is process-wide: a product another thread ran meanwhile would run on one core too,
/// and OpenBLAS's bits can depend on its thread count, so no guard is taken while a second thread
/// evaluates MLX work (`concurrent_streams`, ToyTrainer's look-ahead).
class SingleThreadedBlas {
 public:
  static bool available() { return controls().set != nullptr && controls().get != nullptr; }

  SingleThreadedBlas() : previous_(available() ? controls().get() : 1) {
    if (previous_ > 1) controls().set(1);
  }
  ~SingleThreadedBlas() {
    if (previous_ > 1) controls().set(previous_);
  }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  struct Controls {
    void (*set)(int) = nullptr;
    int (*get)() = nullptr;
  };
  static const Controls& controls() {
    static const Controls found{reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")),
                                reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"))};
    return found;
  }
  int previous_;
};

/// How many parts of the program have declared that they evaluate MLX work on a second thread
/// beside the main one (ToyTrainer's look-ahead; `mlxc_begin_concurrent_streams`). While any has,
/// nothing changes OpenBLAS's process-wide thread count: OpenBLAS's sums are not the same at every
/// thread count on every CPU (0.3.21 on an AMD EPYC without AVX-512 gives other bits at 1 and 2
/// threads), so a product the other thread runs while a SingleThreadedBlas guard is alive would get
/// bits that depend on timing, and a resumed run would no longer equal the straight one.
inline std::atomic<int>& concurrent_streams() {
  static std::atomic<int> count{0};
  return count;
}

/// body(begin, end) over parts of [0, count) that run side by side on the cores, each part's BLAS
/// products on its own core; where the BLAS cannot be kept to one thread (or must not be: see
/// `concurrent_streams`), one part, whose products the BLAS spreads over the cores itself. Each
/// item must be independent of the others.
template <typename Body>
void parallel_blas_products(size_t count, Body&& body) {
  if (!SingleThreadedBlas::available() || concurrent_streams().load() > 0) {
    if (count > 0) body(size_t{0}, count);
    return;
  }
  SingleThreadedBlas one_core_per_product;
  parallel_for(count, 1, body);
}

}  // namespace cmlx
