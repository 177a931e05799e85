// Matrix products, convolutions and MLX's fused kernels.
#include "internal.hpp"

using namespace cmlx;

extern "C" {

int mlxc_addmm(mlxc_array c, mlxc_array a, mlxc_array b, float alpha, float beta, mlxc_array* out) {
  return guarded([&] { emit(mx::addmm(c->value, a->value, b->value, alpha, beta), out); });
}

int mlxc_conv(mlxc_array input, mlxc_array weight, const int32_t* stride, const int32_t* padding_lo,
              const int32_t* padding_hi, const int32_t* dilation, int nspatial, int groups, mlxc_array* out) {
  return guarded([&] {
    if (nspatial < 1 || nspatial > 3) throw std::invalid_argument("convolution needs 1 to 3 spatial dims");
    if (static_cast<int>(input->value.ndim()) != nspatial + 2) {
      throw std::invalid_argument("conv" + std::to_string(nspatial) + "d expects an input of rank " +
                                  std::to_string(nspatial + 2) + " [N, spatial..., C], got rank " +
                                  std::to_string(input->value.ndim()));
    }
    emit(mx::conv_general(input->value, weight->value, to_ints(stride, nspatial), to_ints(padding_lo, nspatial),
                          to_ints(padding_hi, nspatial), to_ints(dilation, nspatial), std::vector<int>{}, groups,
                          false),
         out);
  });
}

int mlxc_conv_transpose(mlxc_array input, mlxc_array weight, const int32_t* stride, const int32_t* padding,
                        const int32_t* dilation, const int32_t* output_padding, int nspatial, int groups,
                        mlxc_array* out) {
  return guarded([&] {
    const auto& x = input->value;
    const auto& w = weight->value;
    switch (nspatial) {
      case 1:
        emit(mx::conv_transpose1d(x, w, stride[0], padding[0], dilation[0], output_padding[0], groups), out);
        return;
      case 2:
        emit(mx::conv_transpose2d(x, w, {stride[0], stride[1]}, {padding[0], padding[1]},
                                  {dilation[0], dilation[1]}, {output_padding[0], output_padding[1]}, groups),
             out);
        return;
      case 3:
        emit(mx::conv_transpose3d(x, w, {stride[0], stride[1], stride[2]}, {padding[0], padding[1], padding[2]},
                                  {dilation[0], dilation[1], dilation[2]},
                                  {output_padding[0], output_padding[1], output_padding[2]}, groups),
             out);
        return;
    }
    throw std::invalid_argument("transposed convolution needs 1 to 3 spatial dims");
  });
}

int mlxc_scaled_dot_product_attention(mlxc_array q, mlxc_array k, mlxc_array v, float scale, mlxc_array mask,
                                      mlxc_array* out) {
  return guarded([&] {
    std::optional<mx::array> mask_array;
    if (mask) mask_array = mask->value;
    emit(mx::fast::scaled_dot_product_attention(q->value, k->value, v->value, scale, mask ? "array" : "",
                                                mask_array),
         out);
  });
}

int mlxc_rms_norm(mlxc_array x, mlxc_array weight, float eps, mlxc_array* out) {
  return guarded([&] {
    std::optional<mx::array> w;
    if (weight) w = weight->value;
    emit(mx::fast::rms_norm(x->value, w, eps), out);
  });
}

}  // extern "C"
