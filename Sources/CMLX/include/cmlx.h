// CMLX: a small C API over Apple's MLX C++ library.
//
// Conventions (after mlx-c):
// - Every function returns 0 on success and non-zero on failure; it never lets a C++ exception
//   escape. On failure the message is kept per thread and read with mlxc_last_error().
// - Handles (mlxc_array, mlxc_vector, mlxc_closure, mlxc_safetensors) are owning pointers that the
//   caller frees with the matching *_free function. Results come back through out-parameters as new
//   handles. Input handles are borrowed for the duration of the call only.
// - Shapes and axes are int32, sizes size_t. Ops run on MLX's default device/stream.
#ifndef CMLX_H
#define CMLX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlxc_array_* mlxc_array;
typedef struct mlxc_vector_* mlxc_vector;
typedef struct mlxc_closure_* mlxc_closure;
typedef struct mlxc_safetensors_* mlxc_safetensors;

// MARK: errors

/// The message of the last failure on this thread ("" if none).
const char* mlxc_last_error(void);
/// Sets this thread's message; used by callbacks (Swift closures) to report their own failure.
void mlxc_set_error(const char* message);

// MARK: dtypes (values are CMLX's own, stable across MLX versions)

typedef enum {
  MLXC_BOOL = 0,
  MLXC_UINT8 = 1,
  MLXC_UINT16 = 2,
  MLXC_UINT32 = 3,
  MLXC_UINT64 = 4,
  MLXC_INT8 = 5,
  MLXC_INT16 = 6,
  MLXC_INT32 = 7,
  MLXC_INT64 = 8,
  MLXC_FLOAT16 = 9,
  MLXC_FLOAT32 = 10,
  MLXC_FLOAT64 = 11,
  MLXC_BFLOAT16 = 12,
  MLXC_COMPLEX64 = 13,
} mlxc_dtype;

size_t mlxc_dtype_size(int dtype);

// MARK: arrays

int mlxc_array_from_data(const void* data, const int32_t* shape, int ndim, int dtype, mlxc_array* out);
int mlxc_array_from_double(double value, int dtype, mlxc_array* out);
void mlxc_array_free(mlxc_array a);
int mlxc_array_ndim(mlxc_array a);
/// Copies min(ndim, capacity) dimensions into shape.
void mlxc_array_shape(mlxc_array a, int32_t* shape, int capacity);
int mlxc_array_dtype(mlxc_array a);
size_t mlxc_array_size(mlxc_array a);
size_t mlxc_array_nbytes(mlxc_array a);
/// Evaluates a and tells whether its elements lie row-major in memory (not a strided view).
int mlxc_array_is_row_contiguous(mlxc_array a, bool* out);
/// Evaluates a, converts it to dtype and copies its row-major elements into dst (nbytes exactly).
int mlxc_array_copy_to(mlxc_array a, int dtype, void* dst, size_t nbytes);
int mlxc_array_to_string(mlxc_array a, char* buffer, size_t capacity);

// MARK: vectors of arrays

mlxc_vector mlxc_vector_new(void);
void mlxc_vector_free(mlxc_vector v);
size_t mlxc_vector_size(mlxc_vector v);
int mlxc_vector_get(mlxc_vector v, size_t index, mlxc_array* out);
void mlxc_vector_append(mlxc_vector v, mlxc_array a);

// MARK: evaluation

int mlxc_eval(mlxc_vector arrays);
int mlxc_async_eval(mlxc_vector arrays);

// MARK: elementwise and reductions

typedef enum {
  MLXC_ABS, MLXC_NEGATIVE, MLXC_EXP, MLXC_EXPM1, MLXC_LOG, MLXC_LOG1P, MLXC_LOG2, MLXC_LOG10,
  MLXC_SQRT, MLXC_RSQRT, MLXC_SQUARE, MLXC_RECIPROCAL, MLXC_SIN, MLXC_COS, MLXC_TAN, MLXC_ARCSIN,
  MLXC_ARCCOS, MLXC_ARCTAN, MLXC_SINH, MLXC_COSH, MLXC_TANH, MLXC_SIGMOID, MLXC_ERF, MLXC_ERFINV,
  MLXC_FLOOR, MLXC_CEIL, MLXC_ROUND, MLXC_SIGN, MLXC_LOGICAL_NOT, MLXC_ISNAN, MLXC_ISINF,
  MLXC_ISFINITE, MLXC_STOP_GRADIENT, MLXC_COPY,
} mlxc_unary_op;

typedef enum {
  MLXC_ADD, MLXC_SUBTRACT, MLXC_MULTIPLY, MLXC_DIVIDE, MLXC_FLOOR_DIVIDE, MLXC_REMAINDER,
  MLXC_POWER, MLXC_MAXIMUM, MLXC_MINIMUM, MLXC_ARCTAN2, MLXC_LOGADDEXP, MLXC_EQUAL,
  MLXC_NOT_EQUAL, MLXC_LESS, MLXC_LESS_EQUAL, MLXC_GREATER, MLXC_GREATER_EQUAL, MLXC_LOGICAL_AND,
  MLXC_LOGICAL_OR, MLXC_MATMUL, MLXC_BITWISE_AND, MLXC_BITWISE_OR, MLXC_BITWISE_XOR,
} mlxc_binary_op;

typedef enum {
  MLXC_SUM, MLXC_MEAN, MLXC_PROD, MLXC_MAX, MLXC_MIN, MLXC_ALL, MLXC_ANY, MLXC_LOGSUMEXP,
  MLXC_ARGMAX, MLXC_ARGMIN,
} mlxc_reduce_op;

int mlxc_unary(int op, mlxc_array a, mlxc_array* out);
int mlxc_binary(int op, mlxc_array a, mlxc_array b, mlxc_array* out);
/// naxes < 0 reduces over all axes. ARGMAX/ARGMIN take exactly one axis (or all, flattened).
int mlxc_reduce(int op, mlxc_array a, const int32_t* axes, int naxes, bool keepdims, mlxc_array* out);
int mlxc_variance(mlxc_array a, const int32_t* axes, int naxes, bool keepdims, int ddof, mlxc_array* out);
int mlxc_softmax(mlxc_array a, const int32_t* axes, int naxes, bool precise, mlxc_array* out);
/// Group normalisation of channels-last input [N, ..., C] with weight and bias [C], optionally followed
/// by SiLU; float32 on the CPU runs a fused kernel (group_norm.cpp), elsewhere MLX ops.
int mlxc_group_norm(mlxc_array input, mlxc_array weight, mlxc_array bias, int groups, float eps, bool silu, mlxc_array* out);
/// GEGLU's gate: h = [a | b] along the last axis → a ⊙ GELU(b) (exact, erf); exact GELU; CLIP's
/// quick GELU x · σ(1.702 x). float32 on the CPU: fused kernels (activations.cpp); elsewhere MLX ops.
int mlxc_gated_gelu(mlxc_array h, mlxc_array* out);
int mlxc_gelu(mlxc_array a, mlxc_array* out);
int mlxc_quick_gelu(mlxc_array a, mlxc_array* out);
/// Softmax over the last axis, accumulated in float32; on the CPU a vectorisable kernel (softmax.cpp).
int mlxc_softmax_last_axis(mlxc_array a, mlxc_array* out);
int mlxc_cumsum(mlxc_array a, int axis, bool reverse, bool inclusive, mlxc_array* out);
int mlxc_astype(mlxc_array a, int dtype, mlxc_array* out);
int mlxc_where(mlxc_array condition, mlxc_array x, mlxc_array y, mlxc_array* out);
int mlxc_clip(mlxc_array a, mlxc_array lo /* nullable */, mlxc_array hi /* nullable */, mlxc_array* out);

// MARK: creation

int mlxc_full(const int32_t* shape, int ndim, mlxc_array value, int dtype, mlxc_array* out);
int mlxc_arange(double start, double stop, double step, int dtype, mlxc_array* out);
int mlxc_linspace(double start, double stop, int count, int dtype, mlxc_array* out);

// MARK: shape

int mlxc_reshape(mlxc_array a, const int32_t* shape, int ndim, mlxc_array* out);
int mlxc_transpose(mlxc_array a, const int32_t* axes, int naxes, mlxc_array* out);
/// The same values in row-major memory of their own (no copy when already so).
int mlxc_contiguous(mlxc_array a, mlxc_array* out);
int mlxc_squeeze(mlxc_array a, const int32_t* axes, int naxes, mlxc_array* out);
int mlxc_expand_dims(mlxc_array a, const int32_t* axes, int naxes, mlxc_array* out);
int mlxc_broadcast_to(mlxc_array a, const int32_t* shape, int ndim, mlxc_array* out);
int mlxc_slice(mlxc_array a, const int32_t* start, const int32_t* stop, const int32_t* strides, int ndim, mlxc_array* out);
int mlxc_slice_update(mlxc_array src, mlxc_array update, const int32_t* start, const int32_t* stop, const int32_t* strides, int ndim, mlxc_array* out);
int mlxc_concatenate(mlxc_vector arrays, int axis, mlxc_array* out);
int mlxc_stack(mlxc_vector arrays, int axis, mlxc_array* out);
/// Splits at the given indices along axis (indices of the boundaries, as numpy.split).
int mlxc_split(mlxc_array a, const int32_t* indices, int nindices, int axis, mlxc_vector out);
/// mode: "constant" or "edge"; value used by "constant".
int mlxc_pad(mlxc_array a, const int32_t* axes, const int32_t* low, const int32_t* high, int naxes, mlxc_array value, const char* mode, mlxc_array* out);
int mlxc_repeat(mlxc_array a, int repeats, int axis, mlxc_array* out);
int mlxc_tile(mlxc_array a, const int32_t* reps, int nreps, mlxc_array* out);
int mlxc_flip_axis(mlxc_array a, int axis, mlxc_array* out);

// MARK: indexing

int mlxc_take(mlxc_array a, mlxc_array indices, int axis, mlxc_array* out);
int mlxc_take_along_axis(mlxc_array a, mlxc_array indices, int axis, mlxc_array* out);
int mlxc_put_along_axis(mlxc_array a, mlxc_array indices, mlxc_array values, int axis, mlxc_array* out);
int mlxc_scatter_add_axis(mlxc_array a, mlxc_array indices, mlxc_array values, int axis, mlxc_array* out);
int mlxc_argsort(mlxc_array a, int axis, mlxc_array* out);
int mlxc_sort(mlxc_array a, int axis, mlxc_array* out);

// MARK: linear algebra and convolution (channels-last: input [N, spatial..., C_in],
// weight [C_out, kernel..., C_in / groups], as MLX)

int mlxc_addmm(mlxc_array c, mlxc_array a, mlxc_array b, float alpha, float beta, mlxc_array* out);
/// N-d convolution, N = number of spatial dims (1, 2 or 3) inferred from the input rank.
int mlxc_conv(mlxc_array input, mlxc_array weight, const int32_t* stride, const int32_t* padding_lo,
              const int32_t* padding_hi, const int32_t* dilation, int nspatial, int groups, mlxc_array* out);
/// Stride-1 2-D convolution with "same" padding ((k − 1) / 2) for an odd k×k kernel: input [N, H, W, C],
/// weight [O, k, k, C], bias [O] or NULL. On the CPU in float32, Winograd F(4×4, 3×3) for 3×3 kernels
/// on images large enough (winograd_conv.hpp), else k² shifted sgemm calls instead of MLX's im2col
/// (same_conv.cpp); elsewhere MLX's conv2d.
int mlxc_same_conv2d(mlxc_array input, mlxc_array weight, mlxc_array bias, mlxc_array* out);
/// Whether mlxc_same_conv2d's CPU float32 kernel takes Winograd F(4×4, 3×3) for input [n, h, w, c],
/// o output channels and a k×k kernel (winograd_conv.hpp has the size rule); otherwise k² shifted sgemm.
bool mlxc_same_conv2d_uses_winograd(int32_t n, int32_t h, int32_t w, int32_t c, int32_t o, int32_t k);
/// Transposed N-d convolution (weight [C_out, kernel..., C_in / groups]).
int mlxc_conv_transpose(mlxc_array input, mlxc_array weight, const int32_t* stride, const int32_t* padding,
                        const int32_t* dilation, const int32_t* output_padding, int nspatial, int groups,
                        mlxc_array* out);

// MARK: fused kernels (mlx::core::fast)

/// q,k,v [B, heads, L, head_dim]; mask nullable (additive or boolean, broadcastable).
int mlxc_scaled_dot_product_attention(mlxc_array q, mlxc_array k, mlxc_array v, float scale,
                                      mlxc_array mask, mlxc_array* out);
/// softmax(q kᵀ · scale) v per head, heads packed in the last axis: q [B, L, H·D], k and v [B, S, H·D]
/// → [B, L, H·D]; `causal`: query i sees keys j ≤ i + S − L. float32 on the CPU: one kernel over
/// strided head views with score blocks of at most score_block_elements (≤ 0: 2²⁰) (attention.cpp);
/// elsewhere MLX's attention.
int mlxc_multi_head_attention(mlxc_array q, mlxc_array k, mlxc_array v, int32_t heads, float scale,
                              int64_t score_block_elements, bool causal, mlxc_array* out);
/// Layer normalisation over the last axis (weight, bias optional); float32 on the CPU a fused kernel
/// (layer_norm.cpp), elsewhere MLX's fast::layer_norm.
int mlxc_layer_norm(mlxc_array x, mlxc_array weight, mlxc_array bias, float eps, mlxc_array* out);
int mlxc_rms_norm(mlxc_array x, mlxc_array weight, float eps, mlxc_array* out);

// MARK: random (explicit keys)

int mlxc_random_key(uint64_t seed, mlxc_array* out);
int mlxc_random_split(mlxc_array key, int count, mlxc_array* out);
int mlxc_random_normal(const int32_t* shape, int ndim, int dtype, float loc, float scale, mlxc_array key, mlxc_array* out);
int mlxc_random_uniform(mlxc_array low, mlxc_array high, const int32_t* shape, int ndim, int dtype, mlxc_array key, mlxc_array* out);
int mlxc_random_randint(mlxc_array low, mlxc_array high, const int32_t* shape, int ndim, int dtype, mlxc_array key, mlxc_array* out);
int mlxc_random_bernoulli(mlxc_array p, const int32_t* shape, int ndim, mlxc_array key, mlxc_array* out);

// MARK: closures and transforms
//
// A closure is a C function pointer plus a retained payload and its destructor: a Swift closure
// crosses into C this way. The callback reads its inputs from `inputs`, appends its outputs to
// `outputs`, and returns 0; on failure it calls mlxc_set_error and returns non-zero, which MLX sees
// as a C++ exception raised after the callback has returned.

typedef int (*mlxc_callback)(void* payload, mlxc_vector inputs, mlxc_vector outputs);
typedef void (*mlxc_destructor)(void* payload);

int mlxc_closure_new(mlxc_callback callback, void* payload, mlxc_destructor destructor, mlxc_closure* out);
void mlxc_closure_free(mlxc_closure c);
int mlxc_closure_apply(mlxc_closure c, mlxc_vector inputs, mlxc_vector outputs);

int mlxc_vjp(mlxc_closure f, mlxc_vector primals, mlxc_vector cotangents, mlxc_vector outputs, mlxc_vector vjps);
int mlxc_jvp(mlxc_closure f, mlxc_vector primals, mlxc_vector tangents, mlxc_vector outputs, mlxc_vector jvps);
/// f's first output must be a scalar; gradients with respect to the inputs listed in argnums.
int mlxc_value_and_grad(mlxc_closure f, const int32_t* argnums, int nargnums, mlxc_vector inputs,
                        mlxc_vector values, mlxc_vector grads);
int mlxc_compile(mlxc_closure f, bool shapeless, mlxc_closure* out);
/// Gradient checkpointing: recomputes f's intermediates in the backward pass instead of storing them.
int mlxc_checkpoint(mlxc_closure f, mlxc_closure* out);
void mlxc_set_compile_enabled(bool enabled);

// MARK: safetensors

/// Validates the header against the file size, then loads every tensor (lazily read by MLX).
int mlxc_safetensors_load(const char* path, mlxc_safetensors* out);
void mlxc_safetensors_free(mlxc_safetensors s);
size_t mlxc_safetensors_count(mlxc_safetensors s);
const char* mlxc_safetensors_name(mlxc_safetensors s, size_t index);
int mlxc_safetensors_array(mlxc_safetensors s, size_t index, mlxc_array* out);
size_t mlxc_safetensors_metadata_count(mlxc_safetensors s);
const char* mlxc_safetensors_metadata_key(mlxc_safetensors s, size_t index);
const char* mlxc_safetensors_metadata_value(mlxc_safetensors s, size_t index);
/// Writes the tensors to `temporary_path` (the caller renames it into place); errors name `path`.
int mlxc_safetensors_save(const char* temporary_path, const char* path, const char* const* names, const mlxc_array* arrays,
                          size_t count, const char* const* metadata_keys, const char* const* metadata_values,
                          size_t metadata_count);

// MARK: devices, memory, BLAS

typedef enum { MLXC_CPU = 0, MLXC_GPU = 1 } mlxc_device_type;

int mlxc_set_default_device(int device_type);
int mlxc_default_device(void);
bool mlxc_gpu_is_available(void);
size_t mlxc_active_memory(void);
size_t mlxc_peak_memory(void);
void mlxc_reset_peak_memory(void);
size_t mlxc_cache_memory(void);
void mlxc_clear_cache(void);
size_t mlxc_set_memory_limit(size_t limit);
const char* mlxc_version(void);
/// The path of the loaded libmlx shared object.
int mlxc_mlx_library(char* buffer, size_t capacity);
/// The kernel family OpenBLAS chose when it loaded ("Haswell", "Cooperlake", …; OPENBLAS_CORETYPE
/// overrides its CPU detection); empty without OpenBLAS.
int mlxc_openblas_corename(char* buffer, size_t capacity);
/// Keeps buffers up to 32 MiB in glibc's heap and stops it trimming, so MLX's CPU allocations are
/// reused instead of mapped and zeroed anew (allocator_tuning.cpp); no-op elsewhere.
void mlxc_keep_buffers_in_heap(void);
/// The shared object that provides cblas_sgemm to libmlx (where MLX's CPU matmul/conv run).
int mlxc_blas_library(char* buffer, size_t capacity);
/// Declares that MLX work is evaluated on a second thread from now on (and, by `end`, no longer):
/// meanwhile the CPU kernels leave OpenBLAS's process-wide thread count alone (blas.hpp).
void mlxc_begin_concurrent_streams(void);
void mlxc_end_concurrent_streams(void);

// MARK: distributed (MLX's ring over TCP, MPI or NCCL; see Sources/CMLX/distributed.cpp)

typedef struct mlxc_group_* mlxc_group;

/// 1 when the backend ("any", "ring", "mpi", "nccl") can be used in this process.
int mlxc_distributed_is_available(const char* backend);
/// The group of every process the launcher started; with strict 0 and no launcher, a group of one.
int mlxc_distributed_init(const char* backend, int strict, mlxc_group* out);
void mlxc_group_free(mlxc_group group);
int mlxc_group_rank(mlxc_group group);
int mlxc_group_size(mlxc_group group);
/// Lazy collectives: the result is computed (and the processes wait for each other) at eval.
int mlxc_distributed_all_sum(mlxc_group group, mlxc_array a, mlxc_array* out);
int mlxc_distributed_all_gather(mlxc_group group, mlxc_array a, mlxc_array* out);
int mlxc_distributed_send(mlxc_group group, mlxc_array a, int destination, mlxc_array* out);
int mlxc_distributed_recv(mlxc_group group, const int32_t* shape, int ndim, int dtype, int source, mlxc_array* out);

#ifdef __cplusplus
}
#endif

#endif  // CMLX_H
