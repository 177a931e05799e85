// A softmax over the last axis as an MLX primitive with a vectorisable CPU kernel.
//
// Why: the CPU build of MLX evaluates exp with scalar libm calls (~12 ns per element here), and
// attention softmax over thousands of tokens then dominates a UNet call (docs/BENCHMARKS.md). This
// kernel computes exp with vector_math.hpp's polynomial, which the compiler vectorises.
// Arguments are ≤ 0 after the max shift. Gradients come from MLX ops.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "internal.hpp"
#include "vector_math.hpp"
#include "cpu_kernel.hpp"
#include "parallel.hpp"
#include "softmax_rows.hpp"
#include "mlx/primitives.h"

using namespace cmlx;

namespace {

/// y = exp(x − max x) over one row, and Σ y; x may equal y. Each loop runs eight independent lanes
/// so that it vectorises (a single running maximum or sum would not); the sum is taken in the
/// exponentials' pass.
CMLX_VECTOR_KERNEL
float row_exponentials(const float* x, float* y, size_t length) {
  float lanes[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
  size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    for (int k = 0; k < 8; ++k) lanes[k] = x[i + k] > lanes[k] ? x[i + k] : lanes[k];
  }
  float maximum = -INFINITY;
  for (; i < length; ++i) maximum = x[i] > maximum ? x[i] : maximum;
  for (float value : lanes) maximum = value > maximum ? value : maximum;
  float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  float total = 0;
  // In place through one pointer: with two pointers that may overlap, the compiler falls back to
  // scalar code when they do (the attention kernel works in place).
  auto exponentials = [&](const float* source, float* target) {
    size_t j = 0;
    for (; j + 8 <= length; j += 8) {
      for (int k = 0; k < 8; ++k) {
        const float e = vector_friendly_expf(source[j + k] - maximum);
        target[j + k] = e;
        partial[k] += e;
      }
    }
    for (; j < length; ++j) total += target[j] = vector_friendly_expf(source[j] - maximum);
  };
  if (x == y) {
    exponentials(y, y);
  } else {
    exponentials(x, y);
  }
  for (float value : partial) total += value;
  return total;
}

/// Rows [begin, end): exponentials, then scaled by their sum.
CMLX_VECTOR_KERNEL
void softmax_row_range(const float* input, float* output, size_t begin, size_t end, size_t length) {
  for (size_t row = begin; row < end; ++row) {
    float* y = output + row * length;
    const float inverse = 1.0f / row_exponentials(input + row * length, y, length);
    for (size_t j = 0; j < length; ++j) y[j] *= inverse;
  }
}

}  // namespace

void cmlx::softmax_rows(const float* input, float* output, size_t rows, size_t length) {
  // A part of at least 2¹⁶ elements: below that, starting a thread costs more than half the rows.
  parallel_for_rows(rows, length, size_t{1} << 16,
                    [&](size_t begin, size_t end) { softmax_row_range(input, output, begin, end, length); });
}

void cmlx::unnormalised_softmax_rows(float* rows_data, size_t rows, size_t length, float* inverse_sums) {
  for (size_t row = 0; row < rows; ++row) {
    float* y = rows_data + row * length;
    inverse_sums[row] = 1.0f / row_exponentials(y, y, length);
  }
}

namespace {

class LastAxisSoftmax : public mx::UnaryPrimitive {
 public:
  explicit LastAxisSoftmax(mx::Stream stream) : mx::UnaryPrimitive(stream) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& in = inputs[0];
    auto& encoder = begin_float32_kernel("LastAxisSoftmax", inputs, out, stream());
    const size_t length = in.shape().empty() ? 1 : in.shape().back();
    const size_t rows = length == 0 ? 0 : in.size() / length;
    encoder.dispatch(guarded_kernel("softmax", [in, out, rows, length]() mutable {
      cmlx::softmax_rows(in.data<float>(), out.data<float>(), rows, length);
    }));
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

mx::array cmlx::cpu_softmax_last_axis(const mx::array& a) {
  auto input = mx::contiguous(mx::astype(a, mx::float32));
  auto stream = mx::default_stream(mx::Device::cpu);
  return mx::array(input.shape(), mx::float32, std::make_shared<LastAxisSoftmax>(stream), {input});
}

extern "C" int mlxc_softmax_last_axis(mlxc_array a, mlxc_array* out) {
  return guarded([&] {
    const auto device = mx::default_device();
    if (device != mx::Device::cpu || a->value.ndim() == 0) {
      emit(mx::softmax(a->value, -1, true), out);
      return;
    }
    emit(mx::astype(cmlx::cpu_softmax_last_axis(a->value), a->value.dtype()), out);
  });
}
