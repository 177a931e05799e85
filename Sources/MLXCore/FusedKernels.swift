import CMLX

/// softmax(q kᵀ · scale + mask) v with q, k, v [B, heads, L, head_dim]. On the GPU, MLX's fused
/// kernel; on the CPU (where MLX's version is unfused anyway) two matmuls around the vectorised
/// last-axis softmax, which is several times faster there.
public func scaledDotProductAttention(
    queries: MLXArray, keys: MLXArray, values: MLXArray, scale: Float, mask: MLXArray? = nil
) throws -> MLXArray {
    if Device.default == .cpu {
        var scores = try matmul(queries, keys.swappedAxes(-1, -2)) * scale
        if let mask { scores = try scores + mask.asType(scores.dtype) }
        return try matmul(softmax(scores), values)
    }
    return try withHandles([queries, keys, values]) { h in
        try withOptionalHandle(mask) { m in
            try produce { mlxc_scaled_dot_product_attention(h[0], h[1], h[2], scale, m, &$0) }
        }
    }
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
