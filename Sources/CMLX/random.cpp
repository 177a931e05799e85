// Random numbers with explicit keys (MLX's counter-based threefry generator).
#include "internal.hpp"

using namespace cmlx;

extern "C" {

int mlxc_random_key(uint64_t seed, mlxc_array* out) {
  return guarded([&] { emit(mx::random::key(seed), out); });
}

int mlxc_random_split(mlxc_array key, int count, mlxc_array* out) {
  return guarded([&] { emit(mx::random::split(key->value, count), out); });
}

int mlxc_random_normal(const int32_t* shape, int ndim, int dtype, float loc, float scale, mlxc_array key,
                       mlxc_array* out) {
  return guarded([&] { emit(mx::random::normal(to_shape(shape, ndim), to_dtype(dtype), loc, scale, key->value), out); });
}

int mlxc_random_uniform(mlxc_array low, mlxc_array high, const int32_t* shape, int ndim, int dtype, mlxc_array key,
                        mlxc_array* out) {
  return guarded([&] {
    emit(mx::random::uniform(low->value, high->value, to_shape(shape, ndim), to_dtype(dtype), key->value), out);
  });
}

int mlxc_random_randint(mlxc_array low, mlxc_array high, const int32_t* shape, int ndim, int dtype, mlxc_array key,
                        mlxc_array* out) {
  return guarded([&] {
    emit(mx::random::randint(low->value, high->value, to_shape(shape, ndim), to_dtype(dtype), key->value), out);
  });
}

int mlxc_random_bernoulli(mlxc_array p, const int32_t* shape, int ndim, mlxc_array key, mlxc_array* out) {
  return guarded([&] { emit(mx::random::bernoulli(p->value, to_shape(shape, ndim), key->value), out); });
}

}  // extern "C"
