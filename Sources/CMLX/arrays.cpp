// Array handles: creation from host memory, metadata, host read-back, vectors of arrays, eval.
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "internal.hpp"

using namespace cmlx;

namespace {
const mx::Dtype kDtypes[] = {
    mx::bool_,   mx::uint8,   mx::uint16,  mx::uint32,   mx::uint64,
    mx::int8,    mx::int16,   mx::int32,   mx::int64,    mx::float16,
    mx::float32, mx::float64, mx::bfloat16, mx::complex64,
};
constexpr int kDtypeCount = sizeof(kDtypes) / sizeof(kDtypes[0]);
}  // namespace

mx::Dtype cmlx::to_dtype(int code) {
  if (code < 0 || code >= kDtypeCount) {
    throw std::invalid_argument("unknown dtype code " + std::to_string(code));
  }
  return kDtypes[code];
}

int cmlx::from_dtype(mx::Dtype dtype) {
  for (int i = 0; i < kDtypeCount; ++i) {
    if (kDtypes[i] == dtype) return i;
  }
  return -1;
}

extern "C" {

size_t mlxc_dtype_size(int dtype) {
  if (dtype < 0 || dtype >= kDtypeCount) return 0;
  return mx::size_of(kDtypes[dtype]);
}

int mlxc_array_from_data(const void* data, const int32_t* shape, int ndim, int dtype, mlxc_array* out) {
  return guarded([&] {
    auto mshape = to_shape(shape, ndim);
    auto type = to_dtype(dtype);
    size_t count = 1;
    for (auto d : mshape) {
      if (d < 0) throw std::invalid_argument("negative dimension in shape");
      count *= static_cast<size_t>(d);
    }
    size_t nbytes = count * mx::size_of(type);
    // MLX takes ownership of a malloc'ed copy and frees it through the deleter.
    void* copy = std::malloc(nbytes > 0 ? nbytes : 1);
    if (!copy) throw std::bad_alloc();
    if (nbytes > 0) std::memcpy(copy, data, nbytes);
    emit(mx::array(copy, std::move(mshape), type, [](void* p) { std::free(p); }), out);
  });
}

int mlxc_array_from_double(double value, int dtype, mlxc_array* out) {
  return guarded([&] { emit(mx::array(value, to_dtype(dtype)), out); });
}

void mlxc_array_free(mlxc_array a) {
  delete a;
}

int mlxc_array_ndim(mlxc_array a) {
  return static_cast<int>(a->value.ndim());
}

void mlxc_array_shape(mlxc_array a, int32_t* shape, int capacity) {
  const auto& s = a->value.shape();
  for (int i = 0; i < capacity && i < static_cast<int>(s.size()); ++i) shape[i] = s[i];
}

int mlxc_array_dtype(mlxc_array a) {
  return from_dtype(a->value.dtype());
}

size_t mlxc_array_size(mlxc_array a) {
  return a->value.size();
}

size_t mlxc_array_nbytes(mlxc_array a) {
  return a->value.nbytes();
}

int mlxc_array_is_row_contiguous(mlxc_array a, bool* out) {
  return guarded([&] {
    mx::eval(a->value);
    *out = a->value.flags().row_contiguous;
  });
}

int mlxc_array_copy_to(mlxc_array a, int dtype, void* dst, size_t nbytes) {
  return guarded([&] {
    auto type = to_dtype(dtype);
    auto converted = mx::contiguous(mx::astype(a->value, type));
    mx::eval(converted);
    if (converted.nbytes() != nbytes) {
      throw std::invalid_argument("destination holds " + std::to_string(nbytes) + " bytes, array needs " +
                                  std::to_string(converted.nbytes()));
    }
    if (!converted.flags().row_contiguous) throw std::runtime_error("array is not row-contiguous after copy");
    if (nbytes > 0) std::memcpy(dst, converted.data<void>(), nbytes);
  });
}

int mlxc_array_to_string(mlxc_array a, char* buffer, size_t capacity) {
  return guarded([&] {
    std::ostringstream stream;
    stream << a->value;
    auto text = stream.str();
    if (capacity == 0) return;
    auto n = std::min(capacity - 1, text.size());
    std::memcpy(buffer, text.data(), n);
    buffer[n] = 0;
  });
}

mlxc_vector mlxc_vector_new(void) {
  return new mlxc_vector_{};
}

void mlxc_vector_free(mlxc_vector v) {
  delete v;
}

size_t mlxc_vector_size(mlxc_vector v) {
  return v->values.size();
}

int mlxc_vector_get(mlxc_vector v, size_t index, mlxc_array* out) {
  return guarded([&] {
    if (index >= v->values.size()) throw std::out_of_range("vector index out of range");
    emit(v->values[index], out);
  });
}

void mlxc_vector_append(mlxc_vector v, mlxc_array a) {
  v->values.push_back(a->value);
}

int mlxc_eval(mlxc_vector arrays) {
  return guarded([&] { mx::eval(arrays->values); });
}

int mlxc_async_eval(mlxc_vector arrays) {
  return guarded([&] { mx::async_eval(arrays->values); });
}

}  // extern "C"
