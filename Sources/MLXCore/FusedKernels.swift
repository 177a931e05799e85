import CMLX

/// softmax(q kᵀ · scale + mask) v with q, k, v [B, heads, L, head_dim]. On the GPU, MLX's fused
/// kernel; on the CPU (where MLX's version is unfused anyway) two matmuls around the vectorised
/// last-axis softmax, which is several times faster there, in blocks of queries whose score
/// matrices stay under `scoreBlockElements` (Stable Diffusion's 4096-token self-attention would
/// otherwise hold a 1 GiB score matrix per call at batch 2).
public func scaledDotProductAttention(
    queries: MLXArray, keys: MLXArray, values: MLXArray, scale: Float, mask: MLXArray? = nil,
    scoreBlockElements: Int = cpuScoreBlockElements
) throws -> MLXArray {
    if Device.default == .cpu {
        let queryLength = queries.dim(-2), keyLength = keys.dim(-2)
        let rowsPerQuery = queries.shape.dropLast(2).reduce(1, *) * keyLength
        let block = max(1, scoreBlockElements / max(rowsPerQuery, 1))
        func attend(_ range: Range<Int>) throws -> MLXArray {
            let q = range.count == queryLength ? queries : try queries.sliced(axis: queries.ndim - 2, range)
            var scores = try matmul(q, keys.swappedAxes(-1, -2)) * scale
            if var mask {
                if mask.ndim >= 2, mask.dim(-2) == queryLength, range.count != queryLength { mask = try mask.sliced(axis: mask.ndim - 2, range) }
                scores = try scores + mask.asType(scores.dtype)
            }
            return try matmul(softmax(scores), values)
        }
        guard block < queryLength else { return try attend(0..<queryLength) }
        let blocks = try stride(from: 0, to: queryLength, by: block).map { try attend($0..<min($0 + block, queryLength)) }
        return try concatenated(blocks, axis: queries.ndim - 2)
    }
    return try withHandles([queries, keys, values]) { h in
        try withOptionalHandle(mask) { m in
            try produce { mlxc_scaled_dot_product_attention(h[0], h[1], h[2], scale, m, &$0) }
        }
    }
}

/// softmax(q kᵀ · scale) v for each of `heads` heads packed in the last axis: queries [B, L, H·D],
/// keys and values [B, S, H·D] → [B, L, H·D]. On the CPU (float32) one CMLX kernel that reads the
/// heads in place and keeps only a block of scores (attention.cpp), without the head transposes
/// and full score matrices of `scaledDotProductAttention`; elsewhere MLX's attention.
/// `causal`: query i attends to keys j ≤ i + S − L only (CLIP's text encoder).
/// `scoreBlockElements` (nil: 2²⁰) bounds the CPU kernel's score scratch.
public func multiHeadAttention(queries: MLXArray, keys: MLXArray, values: MLXArray, heads: Int, scale: Float,
                               causal: Bool = false, scoreBlockElements: Int? = nil) throws -> MLXArray {
    try withHandles([queries, keys, values]) { h in
        try produce {
            mlxc_multi_head_attention(h[0], h[1], h[2], Int32(heads), scale, Int64(scoreBlockElements ?? 0), causal, &$0)
        }
    }
}

/// The largest attention score matrix the CPU path builds at once (elements; 2²² = 16 MiB in float32,
/// under the 32 MiB up to which the CLI keeps buffers in the heap: SD 1.5's UNet took 15.5 s with
/// it, 18.4 s with 128 MiB blocks that were mapped afresh each time, 16.8 s with 8 MiB blocks).
public let cpuScoreBlockElements = 1 << 22

/// GEGLU's gate: for `h` = [a | b] split in halves along the last axis, a ⊙ GELU(b) with the exact
/// (erf) GELU. float32 on the CPU runs CMLX's fused kernel (activations.cpp).
public func gatedGelu(_ h: MLXArray) throws -> MLXArray {
    try h.withHandle { handle in try produce { mlxc_gated_gelu(handle, &$0) } }
}

/// Layer normalisation over the last axis, with optional affine weight and bias.
public func layerNorm(_ x: MLXArray, weight: MLXArray?, bias: MLXArray?, eps: Float = 1e-5) throws -> MLXArray {
    try x.withHandle { hx in
        try withOptionalHandle(weight) { w in
            try withOptionalHandle(bias) { b in try produce { mlxc_layer_norm(hx, w, b, eps, &$0) } }
        }
    }
}

/// RMS normalisation over the last axis.
public func rmsNorm(_ x: MLXArray, weight: MLXArray?, eps: Float = 1e-5) throws -> MLXArray {
    try x.withHandle { hx in
        try withOptionalHandle(weight) { w in try produce { mlxc_rms_norm(hx, w, eps, &$0) } }
    }
}

/// Group normalisation of channels-last `x` [N, ..., C] (statistics per sample over C / groups
/// channels and all positions, population variance), then `weight`·x̂ + `bias`, then SiLU when
/// `silu` is set. float32 on the CPU runs CMLX's fused kernel (group_norm.cpp).
public func groupNorm(_ x: MLXArray, weight: MLXArray, bias: MLXArray, groups: Int, eps: Float, silu: Bool = false) throws -> MLXArray {
    try withHandles([x, weight, bias]) { h in try produce { mlxc_group_norm(h[0], h[1], h[2], Int32(groups), eps, silu, &$0) } }
}
