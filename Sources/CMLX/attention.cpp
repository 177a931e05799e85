// Multi-head attention over heads packed in the last axis, as an MLX primitive with a CPU kernel
// that calls BLAS on strided head views.
//
// Why: written from MLX ops, attention on the CPU splits heads with three transposing copies
// ([B, L, H·D] → [B, H, L, D]), materialises every score matrix (1 GiB for Stable Diffusion's
// 4096-token self-attention at batch 2), scales it in a separate pass, and copies the result back
// to [B, L, H·D]: about a fifth of a UNet call here. This kernel reads each head in place (a head
// is a column block of width D, so BLAS gets it with leading dimension H·D), computes the scores
// for a block of queries into a scratch of about 4 MiB that stays in cache, applies the softmax
// there, and multiplies by V straight into the output's column block; blocks run side by side on
// the cores, one core each.
// Each (image, head, query block) is computed on its own, so an image's result does not depend on
// the rest of the batch. Gradients: those of the same function written in MLX ops.
#include <algorithm>
#include <limits>
#include <memory>

#include "blas.hpp"
#include "cpu_kernel.hpp"
#include "definition_gradients.hpp"
#include "internal.hpp"
#include "parallel.hpp"
#include "mlx/primitives.h"
#include "softmax_rows.hpp"

using namespace cmlx;

namespace {

/// The score scratch: 2²⁰ floats (4 MiB), unless one query row is longer.
constexpr size_t kDefaultScoreBlockElements = size_t{1} << 20;

struct AttentionShape {
  int batch, queries, keys, heads, head_width;
  float scale;
  size_t score_block_elements;
  bool causal;  // query i sees keys j ≤ i + (keys − queries)
};

/// Keys that query `query` may see: all, or under the causal rule the first query + 1 + (S − L).
int visible_keys(const AttentionShape& s, int query) {
  return s.causal ? std::clamp(query + 1 + (s.keys - s.queries), 0, s.keys) : s.keys;
}

/// Queries per score block: the scratch's rows.
int score_block_rows(const AttentionShape& s) {
  return static_cast<int>(
      std::clamp<size_t>(s.score_block_elements / std::max(1, s.keys), 1, static_cast<size_t>(std::max(1, s.queries))));
}

/// One (image, head, query block): scores = scale·Q Kᵀ into `scores`; exp(scores − row max) in
/// place (on the calling thread, or on all cores with `spread_softmax`); out's block = scores V,
/// each row then divided by its exponentials' sum (the softmax's normalisation, applied to D values
/// a row instead of S). `inverse_sums` holds one float per row.
void attend_block(const float* q, const float* k, const float* v, float* out, const AttentionShape& s, int b, int h,
                  int first, int rows, float* scores, float* inverse_sums, bool spread_softmax) {
  const int width = s.heads * s.head_width;
  const int column = h * s.head_width;
  const float* keys = k + static_cast<size_t>(b) * s.keys * width + column;
  const float* values = v + static_cast<size_t>(b) * s.keys * width + column;
  const size_t row_offset = (static_cast<size_t>(b) * s.queries + first) * width + column;  // same in q and out
  float* block_out = out + row_offset;
  auto gemm = sgemm();
  gemm(kRowMajor, kNoTrans, kTrans, rows, s.keys, s.head_width, s.scale, q + row_offset, width, keys, width, 0.0f,
       scores, s.keys);
  auto exponentials = [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; ++row) {
      float* scores_row = scores + row * s.keys;
      const int visible = visible_keys(s, first + static_cast<int>(row));
      inverse_sums[row] = 0.0f;  // a query that sees no key gets zeros
      unnormalised_softmax_rows(scores_row, visible > 0 ? 1 : 0, visible, inverse_sums + row);
      std::fill(scores_row + visible, scores_row + s.keys, 0.0f);
    }
  };
  if (spread_softmax) {
    parallel_for_rows(rows, s.keys, size_t{1} << 16, exponentials);
  } else {
    exponentials(0, rows);
  }
  gemm(kRowMajor, kNoTrans, kNoTrans, rows, s.head_width, s.keys, 1.0f, scores, s.keys, values, width, 0.0f,
       block_out, width);
  for (int row = 0; row < rows; ++row) {
    float* out_row = block_out + static_cast<size_t>(row) * width;
    for (int d = 0; d < s.head_width; ++d) out_row[d] *= inverse_sums[row];
  }
}

/// q [B, L, H·D], k and v [B, S, H·D] → out [B, L, H·D]; float32, row-contiguous.
/// The (image, head, query block) items are split over the cores, each running its products on
/// one core (SingleThreadedBlas): a block's scores stay in the cache of the core that computed
/// them, through the softmax and the product with V, and no product waits for a join. Splitting
/// each product over all cores instead ran the 64×64-token products of SD's UNet at 135–190
/// GFLOP/s. Any split gives the same bits: each item is computed alone, in the same way.
void attention_forward(const float* q, const float* k, const float* v, float* out, const AttentionShape& s) {
  const int block = score_block_rows(s);
  const size_t blocks_per_head = (static_cast<size_t>(s.queries) + block - 1) / block;
  const size_t items = static_cast<size_t>(s.batch) * s.heads * blocks_per_head;
  const size_t score_elements = static_cast<size_t>(block) * s.keys;
  // Without BLAS thread control the items run one by one: the softmax then uses the cores itself.
  const bool spread_softmax = !SingleThreadedBlas::available() || concurrent_streams().load() > 0;
  parallel_blas_products(items, [&](size_t begin, size_t end) {
    std::unique_ptr<float[]> scores(new float[score_elements]), inverse_sums(new float[block]);
    for (size_t item = begin; item < end; ++item) {
      const int first = static_cast<int>(item % blocks_per_head) * block;
      const int head = static_cast<int>(item / blocks_per_head % s.heads);
      const int image = static_cast<int>(item / blocks_per_head / s.heads);
      attend_block(q, k, v, out, s, image, head, first, std::min(block, s.queries - first), scores.get(),
                   inverse_sums.get(), spread_softmax);
    }
  });
}

/// [B, L, H·D] → [B, H, L, D] and back.
mx::array split_heads(const mx::array& t, int heads) {
  return mx::transpose(mx::reshape(t, {t.shape(0), t.shape(1), heads, t.shape(2) / heads}), {0, 2, 1, 3});
}
mx::array merge_heads(const mx::array& t) {
  return mx::reshape(mx::transpose(t, {0, 2, 1, 3}), {t.shape(0), t.shape(2), t.shape(1) * t.shape(3)});
}

/// The causal rule as a boolean [L, S] array: true where key j lies in query i's future.
mx::array future_keys(int queries, int keys) {
  auto rows = mx::reshape(mx::arange(queries, mx::int32), {queries, 1});
  auto columns = mx::reshape(mx::arange(keys, mx::int32), {1, keys});
  return mx::greater(columns, mx::add(rows, mx::array(keys - queries, mx::int32)));
}

/// The same attention from MLX ops, with CMLX's softmax primitive: the gradients' definition.
mx::array attention_from_ops(const mx::array& q, const mx::array& k, const mx::array& v, int heads, float scale,
                             bool causal) {
  auto scores = mx::multiply(mx::matmul(split_heads(q, heads), mx::swapaxes(split_heads(k, heads), -1, -2)),
                             mx::array(scale));
  if (causal) {
    scores = mx::where(future_keys(q.shape(1), k.shape(1)), mx::array(-std::numeric_limits<float>::infinity()), scores);
  }
  return merge_heads(mx::matmul(cpu_softmax_last_axis(scores), split_heads(v, heads)));
}

class MultiHeadAttention : public OpsDefinedPrimitive {
 public:
  MultiHeadAttention(mx::Stream stream, int heads, float scale, size_t score_block_elements, bool causal)
      : OpsDefinedPrimitive(stream),
        heads_(heads),
        scale_(scale),
        score_block_elements_(score_block_elements),
        causal_(causal) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    auto& encoder = begin_float32_kernel("MultiHeadAttention", inputs, out, stream());
    const auto& q = inputs[0];
    const AttentionShape shape{q.shape(0), q.shape(1), inputs[1].shape(1), heads_, q.shape(2) / heads_, scale_,
                               score_block_elements_, causal_};
    encoder.dispatch(guarded_kernel("attention", [inputs, out, shape]() mutable {
      attention_forward(inputs[0].data<float>(), inputs[1].data<float>(), inputs[2].data<float>(), out.data<float>(),
                        shape);
    }));
  }

  const char* name() const override { return "MultiHeadAttention"; }

  bool is_equivalent(const mx::Primitive& other) const override {
    auto* same = dynamic_cast<const MultiHeadAttention*>(&other);
    return same != nullptr && same->heads_ == heads_ && same->scale_ == scale_ &&
           same->score_block_elements_ == score_block_elements_ && same->causal_ == causal_;
  }

  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {inputs[0].shape()}; }

 private:
  MLXFunction definition() const override {
    return [heads = heads_, scale = scale_, causal = causal_](const std::vector<mx::array>& in) {
      return std::vector<mx::array>{attention_from_ops(in[0], in[1], in[2], heads, scale, causal)};
    };
  }

  int heads_;
  float scale_;
  size_t score_block_elements_;
  bool causal_;
};

void check_shapes(const mx::array& q, const mx::array& k, const mx::array& v, int heads) {
  auto describe = [](const mx::array& a) {
    std::string text = "[";
    for (int axis = 0; axis < a.ndim(); ++axis) text += (axis ? ", " : "") + std::to_string(a.shape(axis));
    return text + "]";
  };
  if (q.ndim() != 3 || k.ndim() != 3 || v.ndim() != 3) {
    throw std::invalid_argument("multi_head_attention expects q [B, L, H·D], k and v [B, S, H·D], got " +
                                describe(q) + ", " + describe(k) + ", " + describe(v));
  }
  if (k.shape() != v.shape() || k.shape(0) != q.shape(0) || k.shape(2) != q.shape(2)) {
    throw std::invalid_argument("multi_head_attention: q " + describe(q) + ", k " + describe(k) + " and v " +
                                describe(v) + " do not fit together");
  }
  if (heads <= 0 || q.shape(2) % heads != 0) {
    throw std::invalid_argument("multi_head_attention: width " + std::to_string(q.shape(2)) + " is not divisible into " +
                                std::to_string(heads) + " heads");
  }
}

}  // namespace

extern "C" int mlxc_multi_head_attention(mlxc_array q, mlxc_array k, mlxc_array v, int32_t heads, float scale,
                                         int64_t score_block_elements, bool causal, mlxc_array* out) {
  return guarded([&] {
    check_shapes(q->value, k->value, v->value, heads);
    const auto dtype = q->value.dtype();
    if (mx::default_device() != mx::Device::cpu || q->value.size() == 0 || k->value.size() == 0 ||
        dtype != mx::float32 || k->value.dtype() != mx::float32 || v->value.dtype() != mx::float32) {
      // The GPU's fused kernel; half precision on the CPU keeps MLX's (unfused) attention.
      emit(merge_heads(mx::fast::scaled_dot_product_attention(split_heads(q->value, heads), split_heads(k->value, heads),
                                                               split_heads(v->value, heads), scale,
                                                               causal ? "causal" : "", {})),
           out);
      return;
    }
    std::vector<mx::array> inputs = {mx::contiguous(q->value), mx::contiguous(k->value), mx::contiguous(v->value)};
    const size_t block = score_block_elements > 0 ? static_cast<size_t>(score_block_elements) : kDefaultScoreBlockElements;
    auto stream = mx::default_stream(mx::Device::cpu);
    emit(mx::array(q->value.shape(), mx::float32, std::make_shared<MultiHeadAttention>(stream, heads, scale, block, causal),
                   std::move(inputs)),
         out);
  });
}
