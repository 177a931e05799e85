// Winograd F(4×4, 3×3) for the stride-1 "same" 3×3 convolution; see winograd_conv.hpp for why and when.
//
// Per image, in chunks of output tiles (t): V_ξ[t][c] = (Bᵀ d B)_ξ of each 6×6 input tile d, then
// 36 sgemm M_ξ = V_ξ U_ξᵀ with U_ξ[o][c] = (G g Gᵀ)_ξ, then Y = Aᵀ M A per tile + bias, cropped.
// ξ = 6a + b indexes the 6×6 transformed tile; buffers are [36][tiles][channels] so that each ξ
// is one row-major matrix for sgemm. Matrices: Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks" (2016), F(4×4, 3×3), interpolation points 0, ±1, ±2, ∞.
#include "winograd_conv.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>

#include "blas.hpp"
#include "cmlx.h"
#include "parallel.hpp"
#include "vector_math.hpp"

namespace cmlx {
namespace {

constexpr int kOutputTile = 4;   // m: outputs per tile side
constexpr int kInputTile = 6;    // m + r − 1: inputs per tile side
constexpr int kPoints = 36;      // transformed values per tile (ξ)
constexpr int kLanes = 16;       // channels transformed together: one or two vector registers per row

// The transforms run on blocks of kLanes channels held in small arrays; the compiler turns every
// lane loop into vector instructions (always_inline so that the AVX2 clone of the caller gets them).
using Lanes = float[kLanes];
#define CMLX_LANE_LOOP for (int l = 0; l < kLanes; ++l)

/// Copies a block's `width` channels; a full block as one fixed-size move (no libc call).
[[gnu::always_inline]] inline void copy_lanes(float* target, const float* source, int width) {
  if (width == kLanes) {
    std::memcpy(target, source, sizeof(Lanes));
  } else {
    std::memcpy(target, source, sizeof(float) * width);
  }
}

/// out[k·s] = (G x)_k for x[0], x[s], x[2s]; G = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6;
/// 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1].
[[gnu::always_inline]] inline void apply_g(const Lanes* x, int x_stride, Lanes* out, int out_stride) {
  CMLX_LANE_LOOP {
    const float g0 = x[0][l], g1 = x[x_stride][l], g2 = x[2 * x_stride][l];
    const float even = g0 + g2;  // the ±1 points share g0 + g2, the ±2 points g0/24 + g2/6
    const float even4 = g0 * (1.0f / 24.0f) + g2 * (1.0f / 6.0f);
    out[0][l] = g0 * 0.25f;
    out[out_stride][l] = (even + g1) * (-1.0f / 6.0f);
    out[2 * out_stride][l] = (even - g1) * (-1.0f / 6.0f);
    out[3 * out_stride][l] = even4 + g1 * (1.0f / 12.0f);
    out[4 * out_stride][l] = even4 - g1 * (1.0f / 12.0f);
    out[5 * out_stride][l] = g2;
  }
}

/// out[k·s] = (Bᵀ x)_k for x[0..5]·s; Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0;
/// 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1].
[[gnu::always_inline]] inline void apply_bt(const Lanes* x, int x_stride, Lanes* out, int out_stride) {
  CMLX_LANE_LOOP {
    const float d0 = x[0][l], d1 = x[x_stride][l], d2 = x[2 * x_stride][l];
    const float d3 = x[3 * x_stride][l], d4 = x[4 * x_stride][l], d5 = x[5 * x_stride][l];
    const float plus1 = d4 - 4.0f * d2, minus1 = d3 - 4.0f * d1;  // rows 1, 2: plus1 ± minus1
    const float plus2 = d4 - d2, minus2 = 2.0f * (d3 - d1);       // rows 3, 4: plus2 ± minus2
    out[0][l] = 4.0f * d0 - 5.0f * d2 + d4;
    out[out_stride][l] = plus1 + minus1;
    out[2 * out_stride][l] = plus1 - minus1;
    out[3 * out_stride][l] = plus2 + minus2;
    out[4 * out_stride][l] = plus2 - minus2;
    out[5 * out_stride][l] = 4.0f * d1 - 5.0f * d3 + d5;
  }
}

/// out[k·s] = (Aᵀ x)_k for x[0..5]·s; Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
[[gnu::always_inline]] inline void apply_at(const Lanes* x, int x_stride, Lanes* out, int out_stride) {
  CMLX_LANE_LOOP {
    const float m0 = x[0][l], m1 = x[x_stride][l], m2 = x[2 * x_stride][l];
    const float m3 = x[3 * x_stride][l], m4 = x[4 * x_stride][l], m5 = x[5 * x_stride][l];
    const float sum1 = m1 + m2, difference1 = m1 - m2, sum2 = m3 + m4, difference2 = m3 - m4;
    out[0][l] = m0 + sum1 + sum2;
    out[out_stride][l] = difference1 + 2.0f * difference2;
    out[2 * out_stride][l] = sum1 + 4.0f * sum2;
    out[3 * out_stride][l] = difference1 + 8.0f * difference2 + m5;
  }
}

/// Writes a full block of lanes past the caches (`target` 64-byte aligned). Why: U is written to 36
/// streams at once, more than the core tracks; ordinary stores first read each line (stalling on
/// them took a third of the weight transform) although U is read back only by the products later.
[[gnu::always_inline]] inline void stream_lanes(float* target, const Lanes& source) {
  using Line = float __attribute__((vector_size(sizeof(Lanes))));
  Line line;
  std::memcpy(&line, source, sizeof(Lanes));
  __builtin_nontemporal_store(line, reinterpret_cast<Line*>(target));
}

/// U_ξ[o][c] = (G g Gᵀ)_ξ for the kernels g = weight[o, :, :, c], o in [o_begin, o_end). With
/// `streaming`, full blocks are written with stream_lanes (C a multiple of kLanes, U 64-byte aligned).
CMLX_VECTOR_KERNEL void transform_weights(const float* weight, float* const* transformed, int C, size_t o_begin,
                                          size_t o_end, bool streaming) {
  for (size_t o = o_begin; o < o_end; ++o) {
    for (int c0 = 0; c0 < C; c0 += kLanes) {
      const int width = std::min(kLanes, C - c0);
      Lanes g[9] = {};
      for (int tap = 0; tap < 9; ++tap) copy_lanes(g[tap], weight + (o * 9 + tap) * C + c0, width);
      Lanes columns[6 * 3], u[kPoints];
      for (int j = 0; j < 3; ++j) apply_g(g + j, 3, columns + j, 3);        // columns[a][j] = (G g)[a][j]
      for (int a = 0; a < 6; ++a) apply_g(columns + 3 * a, 1, u + 6 * a, 1);  // u[a][b] = (G g Gᵀ)[a][b]
      if (streaming) {
        for (int xi = 0; xi < kPoints; ++xi) stream_lanes(transformed[xi] + o * C + c0, u[xi]);
      } else {
        for (int xi = 0; xi < kPoints; ++xi) copy_lanes(transformed[xi] + o * C + c0, u[xi], width);
      }
    }
  }
  if (streaming) std::atomic_thread_fence(std::memory_order_seq_cst);  // streamed lines drained (sfence/mfence)
}

/// V[ξ][t − first][c] = (Bᵀ d B)_ξ for tiles t in [begin, end) of one image, d the 6×6 input patch
/// from (4·ty − 1, 4·tx − 1), zero outside the image. `count` is the chunk's tile count (V's stride).
CMLX_VECTOR_KERNEL void transform_input(const float* image, float* transformed, int H, int W, int C, int tiles_x,
                                        size_t first, size_t count, size_t begin, size_t end) {
  for (size_t t = begin; t < end; ++t) {
    const int y0 = static_cast<int>(t / tiles_x) * kOutputTile - 1, x0 = static_cast<int>(t % tiles_x) * kOutputTile - 1;
    for (int c0 = 0; c0 < C; c0 += kLanes) {
      const int width = std::min(kLanes, C - c0);
      Lanes d[kPoints];
      for (int i = 0; i < kInputTile; ++i) {
        for (int j = 0; j < kInputTile; ++j) {
          const int y = y0 + i, x = x0 + j;
          float* lanes = d[i * kInputTile + j];
          if (width < kLanes || y < 0 || y >= H || x < 0 || x >= W) std::memset(lanes, 0, sizeof(Lanes));
          if (y >= 0 && y < H && x >= 0 && x < W) {
            copy_lanes(lanes, image + (static_cast<size_t>(y) * W + x) * C + c0, width);
          }
        }
      }
      Lanes rows[kPoints], v[kPoints];
      for (int j = 0; j < kInputTile; ++j) apply_bt(d + j, kInputTile, rows + j, kInputTile);  // (Bᵀ d)[a][j]
      for (int a = 0; a < kInputTile; ++a) apply_bt(rows + kInputTile * a, 1, v + kInputTile * a, 1);
      for (int xi = 0; xi < kPoints; ++xi) {
        copy_lanes(transformed + (xi * count + (t - first)) * C + c0, v[xi], width);
      }
    }
  }
}

/// output pixels of tiles t in [begin, end) = (Aᵀ M A) + bias, cropped at the bottom and right.
CMLX_VECTOR_KERNEL void transform_output(const float* products, const float* bias, float* image, int H, int W, int O,
                                         int tiles_x, size_t first, size_t count, size_t begin, size_t end) {
  for (size_t t = begin; t < end; ++t) {
    const int y0 = static_cast<int>(t / tiles_x) * kOutputTile, x0 = static_cast<int>(t % tiles_x) * kOutputTile;
    const int rows_here = std::min(kOutputTile, H - y0), columns_here = std::min(kOutputTile, W - x0);
    for (int o0 = 0; o0 < O; o0 += kLanes) {
      const int width = std::min(kLanes, O - o0);
      Lanes m[kPoints];
      for (int xi = 0; xi < kPoints; ++xi) {
        if (width < kLanes) std::memset(m[xi], 0, sizeof(Lanes));
        copy_lanes(m[xi], products + (xi * count + (t - first)) * O + o0, width);
      }
      Lanes rows[kOutputTile * kInputTile], y[kOutputTile * kOutputTile];
      for (int b = 0; b < kInputTile; ++b) apply_at(m + b, kInputTile, rows + b, kInputTile);  // (Aᵀ M)[r][b]
      for (int r = 0; r < kOutputTile; ++r) apply_at(rows + kInputTile * r, 1, y + kOutputTile * r, 1);
      Lanes shift = {};
      if (bias != nullptr) copy_lanes(shift, bias + o0, width);
      for (int r = 0; r < rows_here; ++r) {
        for (int q = 0; q < columns_here; ++q) {
          float* pixel = y[r * kOutputTile + q];
          CMLX_LANE_LOOP pixel[l] += shift[l];
          copy_lanes(image + ((static_cast<size_t>(y0 + r)) * W + x0 + q) * O + o0, pixel, width);
        }
      }
    }
  }
}

#undef CMLX_LANE_LOOP

/// Tiles per chunk. V and M take 36 · 4 bytes · C (or O) per tile; each stays within 16 MiB (the
/// per-thread scratch stays small, and 8–32 MiB measured the same) unless that would leave sgemm
/// fewer than 256 rows. An image's tiles are split into equal chunks, so no product is a sliver.
size_t tiles_per_chunk(size_t tiles, int C, int O) {
  constexpr size_t kBufferBytes = size_t{16} << 20, kMinimumChunk = 256;
  const size_t bytes_per_tile = kPoints * sizeof(float) * static_cast<size_t>(std::max(C, O));
  const size_t largest = std::max(kMinimumChunk, kBufferBytes / bytes_per_tile);
  const size_t chunks = (tiles + largest - 1) / largest;
  return (tiles + chunks - 1) / chunks;
}

/// A float buffer that only grows and keeps its pages between calls.
class GrowingBuffer {
 public:
  float* reserve(size_t count) {
    if (count > capacity_) {
      storage_.reset();  // release first: the old and the new buffer need not coexist
      storage_.reset(new (std::align_val_t{64}) float[count]);
      capacity_ = count;
    }
    return storage_.get();
  }

 private:
  struct AlignedDelete {
    void operator()(float* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  std::unique_ptr<float[], AlignedDelete> storage_;  // 64-byte aligned: whole cache lines for stream_lanes
  size_t capacity_ = 0;
};

/// U, V and M, kept by each thread that runs convolutions (MLX's stream threads) for its lifetime.
/// Why: allocated per call, they came as fresh pages every time (glibc hands freed heap memory of
/// a non-main thread back and maps new heaps; up to 236 MB of U per layer at 1280 channels), and
/// zeroing those pages cost more than the weight transform itself: 8.8% of a UNet call's CPU time
/// went to the kernel's clear_page. Costs that much resident memory after the largest layer.
struct WinogradScratch {
  GrowingBuffer u, v, m;
};

WinogradScratch& thread_scratch() {
  thread_local WinogradScratch scratch;
  return scratch;
}

}  // namespace

bool winograd_conv3x3_applies(int N, int H, int W, int C, int O) {
  (void)N;  // deliberately: a picture takes the same path, so gets the same bits, at every batch size
  const long tiles = static_cast<long>((H + kOutputTile - 1) / kOutputTile) * ((W + kOutputTile - 1) / kOutputTile);
  return tiles >= 16 && std::max(C, O) >= 64 && std::min(C, O) >= 1;
}

void winograd_conv3x3_forward(const float* input, const float* weight, const float* bias, float* output, int N, int H,
                              int W, int C, int O) {
  const int tiles_x = (W + kOutputTile - 1) / kOutputTile;
  const size_t tiles = static_cast<size_t>((H + kOutputTile - 1) / kOutputTile) * tiles_x;
  const size_t chunk = tiles_per_chunk(tiles, C, O);
  WinogradScratch& scratch = thread_scratch();
  float* u[kPoints];
  float* u_block = scratch.u.reserve(static_cast<size_t>(kPoints) * O * C);
  for (int xi = 0; xi < kPoints; ++xi) u[xi] = u_block + static_cast<size_t>(xi) * O * C;
  float* v = scratch.v.reserve(kPoints * chunk * C);
  float* m = scratch.m.reserve(kPoints * chunk * O);
  // A thread costs more to start than it saves below ~16 tiles or ~8k kernels of work.
  constexpr size_t kMinimumTilesPerThread = 16;
  constexpr size_t kMinimumRowsSideBySide = 256;  // rows (tiles) per product
  const size_t minimum_outputs_per_thread = std::max<size_t>(1, 8192 / static_cast<size_t>(C));
  parallel_for(O, minimum_outputs_per_thread,
               [&](size_t begin, size_t end) { transform_weights(weight, u, C, begin, end, C % kLanes == 0); });
  auto gemm = sgemm();
  for (int n = 0; n < N; ++n) {
    const float* image = input + static_cast<size_t>(n) * H * W * C;
    float* result = output + static_cast<size_t>(n) * H * W * O;
    // One product per image and chunk, chunks cut the same way in every image: a picture's output
    // is bit-identical wherever it sits in the batch (results reproducible across batch sizes).
    for (size_t first = 0; first < tiles; first += chunk) {
      const size_t count = std::min(chunk, tiles - first);
      parallel_for(count, kMinimumTilesPerThread, [&](size_t begin, size_t end) {
        transform_input(image, v, H, W, C, tiles_x, first, count, first + begin, first + end);
      });
      auto products = [&](size_t begin, size_t end) {
        for (size_t xi = begin; xi < end; ++xi) {
          gemm(kRowMajor, kNoTrans, kTrans, static_cast<int>(count), O, C, 1.0f, v + xi * count * C, C, u[xi], C, 0.0f,
               m + xi * count * O, O);
        }
      };
      // Many tiles: the 36 products side by side, one core each. Few (the UNet's 16×16 and 32×32
      // layers): each product over all cores, which measured faster there.
      if (count >= kMinimumRowsSideBySide) {
        parallel_blas_products(kPoints, products);
      } else {
        products(0, kPoints);
      }
      parallel_for(count, kMinimumTilesPerThread, [&](size_t begin, size_t end) {
        transform_output(m, bias, result, H, W, O, tiles_x, first, count, first + begin, first + end);
      });
    }
  }
}

}  // namespace cmlx

extern "C" bool mlxc_same_conv2d_uses_winograd(int32_t n, int32_t h, int32_t w, int32_t c, int32_t o, int32_t k) {
  return k == 3 && cmlx::winograd_conv3x3_applies(n, h, w, c, o);  // the condition SameConvolution::eval_cpu tests
}
