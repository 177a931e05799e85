// A stride-1 "same" 2-D convolution (odd k×k kernel, padding (k−1)/2) as an MLX primitive whose CPU
// kernel runs k² shifted matrix products instead of MLX's im2col.
//
// Why: MLX's CPU convolution first copies a k²-times larger im2col matrix on one thread, then
// calls sgemm. At Stable Diffusion's sizes that copy is as slow as the product and, in the VAE
// decoder at 512×512×128, allocates over 1 GB per layer. Here the input is copied once into a
// zero-padded buffer [N, H + 2p + 1, W + 2p, C] read as rows of C floats. For the output pixel at
// padded-grid row q = y·Wp + x of an image, tap (i, j) reads row q + i·Wp + j, so each tap is ONE
// sgemm over all pixels of the image: out[q] += xpad[q + i·Wp + j] · W_ij. Rows
// of the padded grid with x ≥ W are computed and dropped when the result is cropped (and the bias
// added) into [N, H, W, O]. The extra zero row keeps the last taps inside the buffer.
// 3×3 kernels on images of at least 16 output tiles take Winograd F(4×4, 3×3) instead
// (winograd_conv.hpp: 4× fewer multiply-adds).
// Gradients: input — the same convolution of the cotangent with the flipped, transposed kernel;
// weight — MLX's own convolution vjp; bias — the cotangent summed over N, H, W.
#include <cstring>
#include <memory>
#include <optional>

#include "blas.hpp"
#include "internal.hpp"
#include "cpu_kernel.hpp"
#include "winograd_conv.hpp"
#include "mlx/primitives.h"

using namespace cmlx;

namespace {

/// input [N, H, W, C], weight [O, k, k, C], optional bias [O] → output [N, H, W, O]; all float32, row-contiguous.
void same_conv_forward(const float* input, const float* weight, const float* bias, float* output, int N, int H, int W,
                       int C, int O, int k) {
  const int p = (k - 1) / 2;
  const int Wp = W + 2 * p;
  const int Hp = H + 2 * p + 1;  // one extra zero row at the bottom
  const size_t rows_per_image = static_cast<size_t>(Hp) * Wp;
  const size_t total_rows = rows_per_image * N;
  std::vector<float> padded(total_rows * C, 0.0f);
  for (int n = 0; n < N; ++n) {
    for (int y = 0; y < H; ++y) {
      const float* source = input + (static_cast<size_t>(n) * H + y) * W * C;
      float* target = padded.data() + (n * rows_per_image + static_cast<size_t>(y + p) * Wp + p) * C;
      std::memcpy(target, source, sizeof(float) * W * C);
    }
  }
  // One product per image and tap: the same rows in every image give bit-identical results, so
  // a picture's output does not depend on what else is in the batch (results reproducible across
  // batch sizes; FM once decoded [v; v̂] in one batch and relied on it).
  const size_t max_offset = static_cast<size_t>(k - 1) * Wp + (k - 1);
  const int m = static_cast<int>(rows_per_image - max_offset);
  std::unique_ptr<float[]> full(new float[total_rows * O]);  // rows each image's first tap writes; the rest is never read
  auto gemm = sgemm();
  for (int n = 0; n < N; ++n) {
    for (int i = 0; i < k; ++i) {
      for (int j = 0; j < k; ++j) {
        const float* a = padded.data() + (n * rows_per_image + static_cast<size_t>(i) * Wp + j) * C;
        const float* b = weight + static_cast<size_t>(i * k + j) * C;  // row o of W_ij at stride k·k·C
        gemm(kRowMajor, kNoTrans, kTrans, m, O, C, 1.0f, a, C, b, k * k * C, (i == 0 && j == 0) ? 0.0f : 1.0f,
             full.get() + n * rows_per_image * O, O);
      }
    }
  }
  for (int n = 0; n < N; ++n) {
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) {
        const float* source = full.get() + (n * rows_per_image + static_cast<size_t>(y) * Wp + x) * O;
        float* target = output + ((static_cast<size_t>(n) * H + y) * W + x) * O;
        if (bias == nullptr) {
          std::memcpy(target, source, sizeof(float) * O);
        } else {
          for (int o = 0; o < O; ++o) target[o] = source[o] + bias[o];
        }
      }
    }
  }
}

mx::array same_conv(const mx::array& input, const mx::array& weight, const std::optional<mx::array>& bias);

/// The kernel for the input gradient: W'[c, i, j, o] = W[o, k−1−i, k−1−j, c].
mx::array flipped_transposed(const mx::array& weight) {
  const int k = weight.shape(1);
  std::vector<int32_t> reversed(k);
  for (int i = 0; i < k; ++i) reversed[i] = k - 1 - i;
  auto indices = mx::array(reversed.begin(), {k}, mx::int32);
  auto flipped = mx::take(mx::take(weight, indices, 1), indices, 2);
  return mx::transpose(flipped, {3, 1, 2, 0});
}

class SameConvolution : public mx::UnaryPrimitive {
 public:
  explicit SameConvolution(mx::Stream stream) : mx::UnaryPrimitive(stream) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    auto& encoder = begin_float32_kernel("SameConvolution", inputs, out, stream());
    encoder.dispatch(guarded_kernel("convolution", [inputs, out]() mutable {
      const auto& x = inputs[0];
      const auto& w = inputs[1];
      const float* bias = inputs.size() > 2 ? inputs[2].data<float>() : nullptr;
      const int N = x.shape(0), H = x.shape(1), W = x.shape(2), C = x.shape(3), O = w.shape(0), k = w.shape(1);
      if (k == 3 && winograd_conv3x3_applies(N, H, W, C, O)) {  // 4× fewer multiply-adds (winograd_conv.hpp)
        winograd_conv3x3_forward(x.data<float>(), w.data<float>(), bias, out.data<float>(), N, H, W, C, O);
      } else {
        same_conv_forward(x.data<float>(), w.data<float>(), bias, out.data<float>(), N, H, W, C, O, k);
      }
    }));
  }

  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("SameConvolution runs on the CPU only (the GPU uses MLX's convolution)");
  }

  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>&) override {
    const auto& x = primals[0];
    const auto& w = primals[1];
    const auto& dy = cotangents[0];
    const int p = (w.shape(1) - 1) / 2;
    std::vector<mx::array> result;
    for (int argnum : argnums) {
      if (argnum == 0) {
        result.push_back(same_conv(dy, flipped_transposed(w), std::nullopt));
      } else if (argnum == 1) {
        auto reference = [p](const std::vector<mx::array>& in) {
          return std::vector<mx::array>{mx::conv2d(in[0], in[1], {1, 1}, {p, p})};
        };
        result.push_back(mx::vjp(reference, {x, w}, {dy}).second[1]);
      } else {
        result.push_back(mx::sum(dy, {0, 1, 2}));
      }
    }
    return result;
  }

  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>& argnums) override {
    std::optional<mx::array> total;
    for (size_t index = 0; index < argnums.size(); ++index) {
      mx::array term = argnums[index] == 0   ? same_conv(tangents[index], primals[1], std::nullopt)
                       : argnums[index] == 1 ? same_conv(primals[0], tangents[index], std::nullopt)
                                             : mx::broadcast_to(tangents[index], output_shape(primals));
      total = total ? mx::add(*total, term) : term;
    }
    return {*total};
  }

  const char* name() const override { return "SameConvolution"; }

  bool is_equivalent(const mx::Primitive& other) const override {
    return dynamic_cast<const SameConvolution*>(&other) != nullptr;
  }

  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {output_shape(inputs)}; }

 private:
  static mx::Shape output_shape(const std::vector<mx::array>& inputs) {
    return {inputs[0].shape(0), inputs[0].shape(1), inputs[0].shape(2), inputs[1].shape(0)};
  }
};

mx::array same_conv(const mx::array& input, const mx::array& weight, const std::optional<mx::array>& bias) {
  std::vector<mx::array> inputs = {mx::contiguous(mx::astype(input, mx::float32)),
                                   mx::contiguous(mx::astype(weight, mx::float32))};
  if (bias) inputs.push_back(mx::contiguous(mx::astype(*bias, mx::float32)));
  mx::Shape shape = {input.shape(0), input.shape(1), input.shape(2), weight.shape(0)};
  auto stream = mx::default_stream(mx::Device::cpu);
  return mx::array(shape, mx::float32, std::make_shared<SameConvolution>(stream), std::move(inputs));
}

}  // namespace

extern "C" int mlxc_same_conv2d(mlxc_array input, mlxc_array weight, mlxc_array bias, mlxc_array* out) {
  return guarded([&] {
    const auto& x = input->value;
    const auto& w = weight->value;
    if (x.ndim() != 4 || w.ndim() != 4) throw std::invalid_argument("same_conv2d expects input [N, H, W, C] and weight [O, k, k, C]");
    if (w.shape(1) != w.shape(2) || w.shape(1) % 2 == 0) {
      throw std::invalid_argument("same_conv2d needs an odd square kernel, got " + std::to_string(w.shape(1)) + "×" +
                                  std::to_string(w.shape(2)));
    }
    if (w.shape(3) != x.shape(3)) {
      throw std::invalid_argument("same_conv2d: input has " + std::to_string(x.shape(3)) + " channels, weight expects " +
                                  std::to_string(w.shape(3)));
    }
    std::optional<mx::array> b;
    if (bias != nullptr) b = bias->value;
    const int p = (w.shape(1) - 1) / 2;
    // Half-precision models keep MLX's convolution (same dtype semantics as before); the GPU too.
    if (mx::default_device() != mx::Device::cpu || x.size() == 0 || x.dtype() != mx::float32 || w.dtype() != mx::float32 ||
        (b && b->dtype() != mx::float32)) {
      auto y = mx::conv2d(x, w, {1, 1}, {p, p});
      emit(b ? mx::add(y, *b) : y, out);
      return;
    }
    emit(same_conv(x, w, b), out);
  });
}
