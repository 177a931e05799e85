// Elementwise ops, reductions, type conversion and selection.
#include "internal.hpp"

using namespace cmlx;

namespace {

mx::array apply_unary(int op, const mx::array& a) {
  switch (op) {
    case MLXC_ABS: return mx::abs(a);
    case MLXC_NEGATIVE: return mx::negative(a);
    case MLXC_EXP: return mx::exp(a);
    case MLXC_EXPM1: return mx::expm1(a);
    case MLXC_LOG: return mx::log(a);
    case MLXC_LOG1P: return mx::log1p(a);
    case MLXC_LOG2: return mx::log2(a);
    case MLXC_LOG10: return mx::log10(a);
    case MLXC_SQRT: return mx::sqrt(a);
    case MLXC_RSQRT: return mx::rsqrt(a);
    case MLXC_SQUARE: return mx::square(a);
    case MLXC_RECIPROCAL: return mx::reciprocal(a);
    case MLXC_SIN: return mx::sin(a);
    case MLXC_COS: return mx::cos(a);
    case MLXC_TAN: return mx::tan(a);
    case MLXC_ARCSIN: return mx::arcsin(a);
    case MLXC_ARCCOS: return mx::arccos(a);
    case MLXC_ARCTAN: return mx::arctan(a);
    case MLXC_SINH: return mx::sinh(a);
    case MLXC_COSH: return mx::cosh(a);
    case MLXC_TANH: return mx::tanh(a);
    case MLXC_SIGMOID: return mx::sigmoid(a);
    case MLXC_ERF: return mx::erf(a);
    case MLXC_ERFINV: return mx::erfinv(a);
    case MLXC_FLOOR: return mx::floor(a);
    case MLXC_CEIL: return mx::ceil(a);
    case MLXC_ROUND: return mx::round(a);
    case MLXC_SIGN: return mx::sign(a);
    case MLXC_LOGICAL_NOT: return mx::logical_not(a);
    case MLXC_ISNAN: return mx::isnan(a);
    case MLXC_ISINF: return mx::isinf(a);
    case MLXC_ISFINITE: return mx::isfinite(a);
    case MLXC_STOP_GRADIENT: return mx::stop_gradient(a);
    case MLXC_COPY: return mx::copy(a);
  }
  throw std::invalid_argument("unknown unary op " + std::to_string(op));
}

mx::array apply_binary(int op, const mx::array& a, const mx::array& b) {
  switch (op) {
    case MLXC_ADD: return mx::add(a, b);
    case MLXC_SUBTRACT: return mx::subtract(a, b);
    case MLXC_MULTIPLY: return mx::multiply(a, b);
    case MLXC_DIVIDE: return mx::divide(a, b);
    case MLXC_FLOOR_DIVIDE: return mx::floor_divide(a, b);
    case MLXC_REMAINDER: return mx::remainder(a, b);
    case MLXC_POWER: return mx::power(a, b);
    case MLXC_MAXIMUM: return mx::maximum(a, b);
    case MLXC_MINIMUM: return mx::minimum(a, b);
    case MLXC_ARCTAN2: return mx::arctan2(a, b);
    case MLXC_LOGADDEXP: return mx::logaddexp(a, b);
    case MLXC_EQUAL: return mx::equal(a, b);
    case MLXC_NOT_EQUAL: return mx::not_equal(a, b);
    case MLXC_LESS: return mx::less(a, b);
    case MLXC_LESS_EQUAL: return mx::less_equal(a, b);
    case MLXC_GREATER: return mx::greater(a, b);
    case MLXC_GREATER_EQUAL: return mx::greater_equal(a, b);
    case MLXC_LOGICAL_AND: return mx::logical_and(a, b);
    case MLXC_LOGICAL_OR: return mx::logical_or(a, b);
    case MLXC_MATMUL: return mx::matmul(a, b);
    case MLXC_BITWISE_AND: return mx::bitwise_and(a, b);
    case MLXC_BITWISE_OR: return mx::bitwise_or(a, b);
    case MLXC_BITWISE_XOR: return mx::bitwise_xor(a, b);
  }
  throw std::invalid_argument("unknown binary op " + std::to_string(op));
}

std::vector<int> all_axes(const mx::array& a) {
  std::vector<int> axes(a.ndim());
  for (int i = 0; i < static_cast<int>(a.ndim()); ++i) axes[i] = i;
  return axes;
}

std::vector<int> axes_or_all(const mx::array& a, const int32_t* axes, int naxes) {
  return naxes < 0 ? all_axes(a) : to_ints(axes, naxes);
}

mx::array apply_reduce(int op, const mx::array& a, const std::vector<int>& axes, bool keepdims, bool all) {
  auto single_axis = [&]() {
    if (axes.size() != 1) throw std::invalid_argument("argmax/argmin take exactly one axis");
    return axes[0];
  };
  switch (op) {
    case MLXC_SUM: return mx::sum(a, axes, keepdims);
    case MLXC_MEAN: return mx::mean(a, axes, keepdims);
    case MLXC_PROD: return mx::prod(a, axes, keepdims);
    case MLXC_MAX: return mx::max(a, axes, keepdims);
    case MLXC_MIN: return mx::min(a, axes, keepdims);
    case MLXC_ALL: return mx::all(a, axes, keepdims);
    case MLXC_ANY: return mx::any(a, axes, keepdims);
    case MLXC_LOGSUMEXP: return mx::logsumexp(a, axes, keepdims);
    case MLXC_ARGMAX: return all ? mx::argmax(a, keepdims) : mx::argmax(a, single_axis(), keepdims);
    case MLXC_ARGMIN: return all ? mx::argmin(a, keepdims) : mx::argmin(a, single_axis(), keepdims);
  }
  throw std::invalid_argument("unknown reduction " + std::to_string(op));
}

}  // namespace

extern "C" {

int mlxc_unary(int op, mlxc_array a, mlxc_array* out) {
  return guarded([&] { emit(apply_unary(op, a->value), out); });
}

int mlxc_binary(int op, mlxc_array a, mlxc_array b, mlxc_array* out) {
  return guarded([&] { emit(apply_binary(op, a->value, b->value), out); });
}

int mlxc_reduce(int op, mlxc_array a, const int32_t* axes, int naxes, bool keepdims, mlxc_array* out) {
  return guarded([&] {
    emit(apply_reduce(op, a->value, axes_or_all(a->value, axes, naxes), keepdims, naxes < 0), out);
  });
}

int mlxc_variance(mlxc_array a, const int32_t* axes, int naxes, bool keepdims, int ddof, mlxc_array* out) {
  return guarded([&] { emit(mx::var(a->value, axes_or_all(a->value, axes, naxes), keepdims, ddof), out); });
}

int mlxc_softmax(mlxc_array a, const int32_t* axes, int naxes, bool precise, mlxc_array* out) {
  return guarded([&] { emit(mx::softmax(a->value, axes_or_all(a->value, axes, naxes), precise), out); });
}

int mlxc_cumsum(mlxc_array a, int axis, bool reverse, bool inclusive, mlxc_array* out) {
  return guarded([&] { emit(mx::cumsum(a->value, axis, reverse, inclusive), out); });
}

int mlxc_astype(mlxc_array a, int dtype, mlxc_array* out) {
  return guarded([&] { emit(mx::astype(a->value, to_dtype(dtype)), out); });
}

int mlxc_where(mlxc_array condition, mlxc_array x, mlxc_array y, mlxc_array* out) {
  return guarded([&] { emit(mx::where(condition->value, x->value, y->value), out); });
}

int mlxc_clip(mlxc_array a, mlxc_array lo, mlxc_array hi, mlxc_array* out) {
  return guarded([&] {
    std::optional<mx::array> low, high;
    if (lo) low = lo->value;
    if (hi) high = hi->value;
    emit(mx::clip(a->value, low, high), out);
  });
}

int mlxc_full(const int32_t* shape, int ndim, mlxc_array value, int dtype, mlxc_array* out) {
  return guarded([&] { emit(mx::full(to_shape(shape, ndim), value->value, to_dtype(dtype)), out); });
}

int mlxc_arange(double start, double stop, double step, int dtype, mlxc_array* out) {
  return guarded([&] { emit(mx::arange(start, stop, step, to_dtype(dtype)), out); });
}

int mlxc_linspace(double start, double stop, int count, int dtype, mlxc_array* out) {
  return guarded([&] { emit(mx::linspace(start, stop, count, to_dtype(dtype)), out); });
}

}  // extern "C"
