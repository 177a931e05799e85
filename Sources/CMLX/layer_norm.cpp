// Layer normalisation over the last axis as an MLX primitive with a fused CPU kernel.
//
// Why: MLX's CPU build evaluates `fast::layer_norm` as its op composition — mean, variance,
// subtract, rsqrt-multiply, scale, shift: six single-threaded passes with fresh buffers. Stable
// Diffusion's transformer blocks normalise [2·4096, 320] activations three times each. This kernel
// reads a row twice (mean, then squared deviations: two-pass variance, as PyTorch) and writes it
// once, rows split over the cores. Gradients: those of the same function written in MLX ops.
#include <algorithm>
#include <cmath>
#include <optional>

#include "cpu_kernel.hpp"
#include "definition_gradients.hpp"
#include "internal.hpp"
#include "mlx/primitives.h"
#include "parallel.hpp"
#include "vector_math.hpp"

using namespace cmlx;

namespace {

/// Σ row[i] − shift over the row in eight independent lanes (so that the loop vectorises).
[[gnu::always_inline]] inline float lane_sum(const float* row, size_t length, float shift, bool square) {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    for (int k = 0; k < 8; ++k) {
      const float d = row[i + k] - shift;
      lanes[k] += square ? d * d : d;
    }
  }
  float total = 0;
  for (; i < length; ++i) {
    const float d = row[i] - shift;
    total += square ? d * d : d;
  }
  for (float value : lanes) total += value;
  return total;
}

CMLX_VECTOR_KERNEL
void layer_norm_rows(const float* input, const float* weight, const float* bias, float* output, size_t begin, size_t end,
                     size_t length, float eps) {
  for (size_t r = begin; r < end; ++r) {
    const float* x = input + r * length;
    float* y = output + r * length;
    const float mean = lane_sum(x, length, 0.0f, false) / static_cast<float>(length);
    const float variance = lane_sum(x, length, mean, true) / static_cast<float>(length);
    const float inverse_std = 1.0f / std::sqrt(variance + eps);
    if (weight != nullptr && bias != nullptr) {
      for (size_t i = 0; i < length; ++i) y[i] = (x[i] - mean) * inverse_std * weight[i] + bias[i];
    } else if (weight != nullptr) {
      for (size_t i = 0; i < length; ++i) y[i] = (x[i] - mean) * inverse_std * weight[i];
    } else {
      for (size_t i = 0; i < length; ++i) y[i] = (x[i] - mean) * inverse_std + (bias != nullptr ? bias[i] : 0.0f);
    }
  }
}

/// The same normalisation from MLX ops (population variance).
mx::array layer_norm_from_ops(const mx::array& x, const std::optional<mx::array>& weight,
                              const std::optional<mx::array>& bias, float eps) {
  auto mean = mx::mean(x, -1, true);
  auto centred = mx::subtract(x, mean);
  auto y = mx::multiply(centred, mx::rsqrt(mx::add(mx::mean(mx::square(centred), -1, true), mx::array(eps, x.dtype()))));
  if (weight) y = mx::multiply(y, *weight);
  if (bias) y = mx::add(y, *bias);
  return y;
}

class LayerNormalization : public OpsDefinedPrimitive {
 public:
  LayerNormalization(mx::Stream stream, float eps, bool has_weight, bool has_bias)
      : OpsDefinedPrimitive(stream), eps_(eps), has_weight_(has_weight), has_bias_(has_bias) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    auto& encoder = begin_float32_kernel("LayerNormalization", inputs, out, stream());
    const size_t length = out.shape().back();
    const size_t rows = length == 0 ? 0 : out.size() / length;
    encoder.dispatch(guarded_kernel("layer norm", [inputs, out, rows, length, eps = eps_, has_weight = has_weight_, has_bias = has_bias_]() mutable {
      const float* weight = has_weight ? inputs[1].data<float>() : nullptr;
      const float* bias = has_bias ? inputs[has_weight ? 2 : 1].data<float>() : nullptr;
      const float* input = inputs[0].data<float>();
      float* output = out.data<float>();
      parallel_for_rows(rows, length, size_t{1} << 15, [&](size_t begin, size_t end) {
        layer_norm_rows(input, weight, bias, output, begin, end, length, eps);
      });
    }));
  }

  const char* name() const override { return "LayerNormalization"; }

  bool is_equivalent(const mx::Primitive& other) const override {
    auto* same = dynamic_cast<const LayerNormalization*>(&other);
    return same != nullptr && same->eps_ == eps_ && same->has_weight_ == has_weight_ && same->has_bias_ == has_bias_;
  }

  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {inputs[0].shape()}; }

 private:
  MLXFunction definition() const override {
    return [eps = eps_, has_weight = has_weight_, has_bias = has_bias_](const std::vector<mx::array>& in) {
      std::optional<mx::array> weight, bias;
      if (has_weight) weight = in[1];
      if (has_bias) bias = in[has_weight ? 2 : 1];
      return std::vector<mx::array>{layer_norm_from_ops(in[0], weight, bias, eps)};
    };
  }

  float eps_;
  bool has_weight_, has_bias_;
};

}  // namespace

extern "C" int mlxc_layer_norm(mlxc_array x, mlxc_array weight, mlxc_array bias, float eps, mlxc_array* out) {
  return guarded([&] {
    const auto& input = x->value;
    std::optional<mx::array> w, b;
    if (weight) w = weight->value;
    if (bias) b = bias->value;
    const int length = input.ndim() == 0 ? 0 : input.shape(-1);
    for (const auto* parameter : {&w, &b}) {
      if (*parameter && ((*parameter)->ndim() != 1 || (*parameter)->shape(0) != length)) {
        throw std::invalid_argument("layer_norm: weight and bias must be [" + std::to_string(length) + "]");
      }
    }
    const bool float32 = input.dtype() == mx::float32 && (!w || w->dtype() == mx::float32) && (!b || b->dtype() == mx::float32);
    if (mx::default_device() != mx::Device::cpu || !float32 || input.size() == 0) {
      emit(mx::fast::layer_norm(input, w, b, eps), out);
      return;
    }
    std::vector<mx::array> inputs = {mx::contiguous(input)};
    if (w) inputs.push_back(mx::contiguous(*w));
    if (b) inputs.push_back(mx::contiguous(*b));
    auto stream = mx::default_stream(mx::Device::cpu);
    emit(mx::array(input.shape(), mx::float32, std::make_shared<LayerNormalization>(stream, eps, w.has_value(), b.has_value()),
                   std::move(inputs)),
         out);
  });
}
