import MLXCore

/// Group normalisation over channels-last input [N, spatial..., C], matching torch.nn.GroupNorm
/// on the equivalent channels-first tensor: statistics per sample over (C / groups, spatial...),
/// population variance. Half-precision input is normalised in float32 (as PyTorch accumulates).
public final class GroupNorm: Module {
    public let weight: Parameter
    public let bias: Parameter
    public let groups: Int
    public let eps: Float

    public init(groups: Int, channels: Int, eps: Float = 1e-5) throws {
        guard channels % groups == 0 else {
            throw MLXError("GroupNorm: \(channels) channels do not split into \(groups) groups")
        }
        weight = Parameter(try ones([channels]))
        bias = Parameter(try zeros([channels]))
        self.groups = groups
        self.eps = eps
    }

    /// Normalises `x`; `thenSiLU` applies SiLU to the result in the same kernel (ResNet blocks
    /// always follow their norms with it).
    public func callAsFunction(_ x: MLXArray, thenSiLU: Bool = false) throws -> MLXArray {
        if x.dtype == .float32, weight.value.dtype == .float32, bias.value.dtype == .float32 {
            return try groupNorm(x, weight: weight.value, bias: bias.value, groups: groups, eps: eps, silu: thenSiLU)
        }
        let shape = x.shape
        let channels = shape[shape.count - 1]
        let batch = shape[0]
        let grouped = try x.asType(.float32).reshaped([batch, -1, groups, channels / groups])
        let mean = try grouped.mean(axes: [1, 3], keepDims: true)
        let variance = try grouped.variance(axes: [1, 3], keepDims: true)
        let normalized = try ((grouped - mean) * rsqrt(variance + eps)).reshaped(shape).asType(x.dtype)
        let y = try normalized * weight.value + bias.value
        return thenSiLU ? try silu(y) : y
    }
}

/// Layer normalisation over the last axis (MLX's fused kernel).
public final class LayerNorm: Module {
    public let weight: Parameter
    public let bias: Parameter
    public let eps: Float

    public init(_ dimensions: Int, eps: Float = 1e-5) throws {
        weight = Parameter(try ones([dimensions]))
        bias = Parameter(try zeros([dimensions]))
        self.eps = eps
    }

    public func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        try layerNorm(x, weight: weight.value, bias: bias.value, eps: eps)
    }
}
