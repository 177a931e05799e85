// A softmax over the last axis as an MLX primitive with a vectorisable CPU kernel.
//
// Why: the CPU build of MLX evaluates exp with scalar libm calls (~12 ns per element here), and
// attention softmax over thousands of tokens then dominates a UNet call (docs/BENCHMARKS.md). This
// kernel computes exp with vector_math.hpp's polynomial, which the compiler vectorises.
// Arguments are ≤ 0 after the max shift. Gradients come from MLX ops.
#include <cmath>
#include <cstring>

#include "internal.hpp"
#include "vector_math.hpp"
#include "cpu_kernel.hpp"
#include "mlx/primitives.h"

using namespace cmlx;

namespace {

void softmax_rows(const float* input, float* output, size_t rows, size_t length) {
  for (size_t row = 0; row < rows; ++row) {
    const float* x = input + row * length;
    float* y = output + row * length;
    float maximum = -INFINITY;
    for (size_t i = 0; i < length; ++i) maximum = x[i] > maximum ? x[i] : maximum;
    for (size_t i = 0; i < length; ++i) y[i] = vector_friendly_expf(x[i] - maximum);
    float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // independent sums the compiler can keep in registers
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
      for (int k = 0; k < 8; ++k) partial[k] += y[i + k];
    }
    float total = 0;
    for (; i < length; ++i) total += y[i];
    for (float value : partial) total += value;
    const float inverse = 1.0f / total;
    for (size_t j = 0; j < length; ++j) y[j] *= inverse;
  }
}

class LastAxisSoftmax : public mx::UnaryPrimitive {
 public:
  explicit LastAxisSoftmax(mx::Stream stream) : mx::UnaryPrimitive(stream) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& in = inputs[0];
    auto& encoder = begin_float32_kernel("LastAxisSoftmax", inputs, out, stream());
    const size_t length = in.shape().empty() ? 1 : in.shape().back();
    const size_t rows = length == 0 ? 0 : in.size() / length;
    encoder.dispatch([in, out, rows, length]() mutable {
      softmax_rows(in.data<float>(), out.data<float>(), rows, length);
    });
  }

  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("LastAxisSoftmax runs on the CPU only (the GPU uses MLX's softmax)");
  }

  std::vector<mx::array> vjp(const std::vector<mx::array>&, const std::vector<mx::array>& cotangents,
                             const std::vector<int>&, const std::vector<mx::array>& outputs) override {
    // dx = y ⊙ (dy − Σ dy ⊙ y) along the last axis.
    const auto& y = outputs[0];
    const auto& dy = cotangents[0];
    return {mx::multiply(y, mx::subtract(dy, mx::sum(mx::multiply(dy, y), -1, true)))};
  }

  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>&) override {
    auto y = mx::softmax(primals[0], -1, true);
    return {mx::multiply(y, mx::subtract(tangents[0], mx::sum(mx::multiply(tangents[0], y), -1, true)))};
  }

  const char* name() const override { return "LastAxisSoftmax"; }

  bool is_equivalent(const mx::Primitive& other) const override {
    return dynamic_cast<const LastAxisSoftmax*>(&other) != nullptr;
  }

  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {inputs[0].shape()}; }
};

}  // namespace

extern "C" int mlxc_softmax_last_axis(mlxc_array a, mlxc_array* out) {
  return guarded([&] {
    const auto device = mx::default_device();
    if (device != mx::Device::cpu || a->value.ndim() == 0) {
      emit(mx::softmax(a->value, -1, true), out);
      return;
    }
    auto input = mx::contiguous(mx::astype(a->value, mx::float32));
    auto stream = mx::default_stream(device);
    auto result = mx::array(input.shape(), mx::float32, std::make_shared<LastAxisSoftmax>(stream), {input});
    emit(mx::astype(result, a->value.dtype()), out);
  });
}
