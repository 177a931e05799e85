import MLXCore

/// How a weight is laid out in PyTorch checkpoints, so it can be converted at the file boundary.
/// Inside LatentPrior everything is channels-last, as MLX's convolutions want.
public enum FileLayout: Sendable {
    /// Stored as used (linear weights, biases, norms, embeddings).
    case same
    /// PyTorch convolution weight [O, I, k...] ↔ MLX [O, k..., I].
    case convolution
    /// PyTorch transposed-convolution weight [I, O, k...] ↔ MLX [O, k..., I].
    case transposedConvolution
    /// StyleGAN2's modulated-convolution weight [1, O, I, k, k] (rosinality) ↔ MLX [O, k, k, I].
    case modulatedConvolution

    /// Converts a tensor read from a PyTorch-layout file into the in-memory layout.
    public func fromFile(_ tensor: MLXArray) throws -> MLXArray {
        let rank = tensor.ndim
        switch self {
        case .same:
            return tensor
        case .convolution:
            guard rank >= 3 else { return tensor }
            return try tensor.transposed([0] + Array(2..<rank) + [1])
        case .transposedConvolution:
            guard rank >= 3 else { return tensor }
            return try tensor.transposed([1] + Array(2..<rank) + [0])
        case .modulatedConvolution:
            guard rank == 5, tensor.dim(0) == 1 else { return tensor }
            return try FileLayout.convolution.fromFile(tensor.squeezed(axes: [0]))
        }
    }

    /// Converts an in-memory tensor into the PyTorch file layout.
    public func toFile(_ tensor: MLXArray) throws -> MLXArray {
        let rank = tensor.ndim
        switch self {
        case .same:
            return tensor
        case .convolution:
            guard rank >= 3 else { return tensor }
            return try tensor.transposed([0, rank - 1] + Array(1..<(rank - 1)))
        case .transposedConvolution:
            guard rank >= 3 else { return tensor }
            return try tensor.transposed([rank - 1, 0] + Array(1..<(rank - 1)))
        case .modulatedConvolution:
            guard rank == 4 else { return tensor }
            return try FileLayout.convolution.toFile(tensor).expandedDimensions(axis: 0)
        }
    }
}

/// A trainable (or frozen) tensor owned by a module. A reference type, so the module tree can be
/// walked by reflection and its values replaced in place (loading, optimiser steps, tracing).
public final class Parameter {
    public var value: MLXArray
    /// Frozen parameters get no gradients and are skipped by optimisers.
    public var isFrozen: Bool
    public let fileLayout: FileLayout

    public init(_ value: MLXArray, fileLayout: FileLayout = .same, frozen: Bool = false) {
        self.value = value
        self.fileLayout = fileLayout
        self.isFrozen = frozen
    }
}
