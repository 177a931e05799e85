// Shape manipulation and indexing.
#include "internal.hpp"

using namespace cmlx;

extern "C" {

int mlxc_reshape(mlxc_array a, const int32_t* shape, int ndim, mlxc_array* out) {
  return guarded([&] { emit(mx::reshape(a->value, to_shape(shape, ndim)), out); });
}

int mlxc_transpose(mlxc_array a, const int32_t* axes, int naxes, mlxc_array* out) {
  return guarded([&] { emit(mx::transpose(a->value, to_ints(axes, naxes)), out); });
}

int mlxc_contiguous(mlxc_array a, mlxc_array* out) {
  return guarded([&] { emit(mx::contiguous(a->value), out); });
}

int mlxc_squeeze(mlxc_array a, const int32_t* axes, int naxes, mlxc_array* out) {
  return guarded([&] { emit(naxes < 0 ? mx::squeeze(a->value) : mx::squeeze(a->value, to_ints(axes, naxes)), out); });
}

int mlxc_expand_dims(mlxc_array a, const int32_t* axes, int naxes, mlxc_array* out) {
  return guarded([&] { emit(mx::expand_dims(a->value, to_ints(axes, naxes)), out); });
}

int mlxc_broadcast_to(mlxc_array a, const int32_t* shape, int ndim, mlxc_array* out) {
  return guarded([&] { emit(mx::broadcast_to(a->value, to_shape(shape, ndim)), out); });
}

int mlxc_slice(mlxc_array a, const int32_t* start, const int32_t* stop, const int32_t* strides, int ndim,
               mlxc_array* out) {
  return guarded([&] {
    if (ndim != static_cast<int>(a->value.ndim())) {
      throw std::invalid_argument("slice needs one (start, stop, stride) per dimension: got " +
                                  std::to_string(ndim) + " for an array of rank " +
                                  std::to_string(a->value.ndim()));
    }
    emit(mx::slice(a->value, to_shape(start, ndim), to_shape(stop, ndim), to_shape(strides, ndim)), out);
  });
}

int mlxc_slice_update(mlxc_array src, mlxc_array update, const int32_t* start, const int32_t* stop,
                      const int32_t* strides, int ndim, mlxc_array* out) {
  return guarded([&] {
    emit(mx::slice_update(src->value, update->value, to_shape(start, ndim), to_shape(stop, ndim),
                          to_shape(strides, ndim)),
         out);
  });
}

int mlxc_concatenate(mlxc_vector arrays, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::concatenate(arrays->values, axis), out); });
}

int mlxc_stack(mlxc_vector arrays, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::stack(arrays->values, axis), out); });
}

int mlxc_split(mlxc_array a, const int32_t* indices, int nindices, int axis, mlxc_vector out) {
  return guarded([&] { out->values = mx::split(a->value, to_shape(indices, nindices), axis); });
}

int mlxc_pad(mlxc_array a, const int32_t* axes, const int32_t* low, const int32_t* high, int naxes,
             mlxc_array value, const char* mode, mlxc_array* out) {
  return guarded([&] {
    emit(mx::pad(a->value, to_ints(axes, naxes), to_shape(low, naxes), to_shape(high, naxes), value->value,
                 std::string(mode)),
         out);
  });
}

int mlxc_repeat(mlxc_array a, int repeats, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::repeat(a->value, repeats, axis), out); });
}

int mlxc_tile(mlxc_array a, const int32_t* reps, int nreps, mlxc_array* out) {
  return guarded([&] { emit(mx::tile(a->value, to_ints(reps, nreps)), out); });
}

int mlxc_flip_axis(mlxc_array a, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::flip(a->value, axis), out); });
}

int mlxc_take(mlxc_array a, mlxc_array indices, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::take(a->value, indices->value, axis), out); });
}

int mlxc_take_along_axis(mlxc_array a, mlxc_array indices, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::take_along_axis(a->value, indices->value, axis), out); });
}

int mlxc_put_along_axis(mlxc_array a, mlxc_array indices, mlxc_array values, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::put_along_axis(a->value, indices->value, values->value, axis), out); });
}

int mlxc_scatter_add_axis(mlxc_array a, mlxc_array indices, mlxc_array values, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::scatter_add_axis(a->value, indices->value, values->value, axis), out); });
}

int mlxc_argsort(mlxc_array a, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::argsort(a->value, axis), out); });
}

int mlxc_sort(mlxc_array a, int axis, mlxc_array* out) {
  return guarded([&] { emit(mx::sort(a->value, axis), out); });
}

}  // extern "C"
