// Profiling aid: times every cblas_sgemm call of a process and prints, at exit, time and GFLOP/s
// per product shape (slowest first). Why: `perf` shows how much time the sgemm kernel takes, not
// which products run below its speed; this does (docs/BENCHMARKS.md, session 5).
//
//   cc -O2 -shared -fPIC -o /tmp/sgemm_shapes.so scripts/sgemm_shapes_shim.c -ldl
//   LD_PRELOAD=/tmp/sgemm_shapes.so latent-prior bench sd --model DIR --components unet --repeats 1
//   head -30 /tmp/sgemm_shapes.log        (or set SGEMM_SHAPES_LOG=path)
//
// CMLX's kernels find cblas_sgemm with dlsym(RTLD_DEFAULT), MLX through the dynamic linker: both
// reach this wrapper first. Products run side by side on several threads add up their times.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void (*Sgemm)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
typedef struct {
  int trans_a, trans_b, m, n, k, lda, ldb;
  long calls;
  double seconds;
} Shape;

enum { kMaxShapes = 4096, kTrans = 112 };
static Shape shapes[kMaxShapes];
static int shape_count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                 int ldb, float beta, float* c, int ldc) {
  static Sgemm real;
  if (!real) real = (Sgemm)dlsym(RTLD_NEXT, "cblas_sgemm");
  const double start = now();
  real(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  const double elapsed = now() - start;
  pthread_mutex_lock(&lock);
  int i = 0;
  while (i < shape_count && !(shapes[i].trans_a == ta && shapes[i].trans_b == tb && shapes[i].m == m &&
                              shapes[i].n == n && shapes[i].k == k && shapes[i].lda == lda && shapes[i].ldb == ldb)) {
    ++i;
  }
  if (i == shape_count && shape_count < kMaxShapes) shapes[shape_count++] = (Shape){ta, tb, m, n, k, lda, ldb, 0, 0};
  if (i < kMaxShapes) {
    shapes[i].calls += 1;
    shapes[i].seconds += elapsed;
  }
  pthread_mutex_unlock(&lock);
}

static int slowest_first(const void* x, const void* y) {
  const double a = ((const Shape*)x)->seconds, b = ((const Shape*)y)->seconds;
  return a < b ? 1 : a > b ? -1 : 0;
}

__attribute__((destructor)) static void report(void) {
  qsort(shapes, shape_count, sizeof(Shape), slowest_first);
  double seconds = 0, flops = 0;
  for (int i = 0; i < shape_count; ++i) {
    seconds += shapes[i].seconds;
    flops += 2.0 * shapes[i].m * shapes[i].n * (double)shapes[i].k * shapes[i].calls;
  }
  const char* path = getenv("SGEMM_SHAPES_LOG") ? getenv("SGEMM_SHAPES_LOG") : "/tmp/sgemm_shapes.log";
  FILE* log = fopen(path, "w");
  if (!log) return;
  fprintf(log, "total %.3f s  %.1f GFLOP  %.1f GFLOP/s\n", seconds, flops / 1e9, seconds > 0 ? flops / 1e9 / seconds : 0);
  for (int i = 0; i < shape_count; ++i) {
    const Shape* s = &shapes[i];
    const double gflop = 2.0 * s->m * s->n * (double)s->k * s->calls / 1e9;
    fprintf(log, "%c%c M=%5d N=%5d K=%5d lda=%5d ldb=%5d calls=%6ld %8.3f s %8.1f GFLOP %6.1f GFLOP/s\n",
            s->trans_a == kTrans ? 'T' : 'N', s->trans_b == kTrans ? 'T' : 'N', s->m, s->n, s->k, s->lda, s->ldb,
            s->calls, s->seconds, gflop, gflop / s->seconds);
  }
  fclose(log);
}
