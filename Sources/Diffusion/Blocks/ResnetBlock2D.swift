import MLXCore
import NN

/// diffusers' ResnetBlock2D (time_embedding_norm "default"): two GroupNorm → SiLU → 3×3 conv
/// stages, the time embedding added between them, a 1×1 shortcut when the width changes.
final class ResnetBlock2D: Module {
    let norm1: GroupNorm
    let conv1: Conv2d
    let timeEmbProj: Linear?
    let norm2: GroupNorm
    let conv2: Conv2d
    let convShortcut: Conv2d?

    init(inputChannels: Int, outputChannels: Int, timeEmbeddingChannels: Int?, groups: Int, eps: Float) throws {
        norm1 = try GroupNorm(groups: groups, channels: inputChannels, eps: eps)
        conv1 = try Conv2d(inputChannels, outputChannels, kernelSize: 3, padding: 1)
        timeEmbProj = try timeEmbeddingChannels.map { try Linear($0, outputChannels) }
        norm2 = try GroupNorm(groups: groups, channels: outputChannels, eps: eps)
        conv2 = try Conv2d(outputChannels, outputChannels, kernelSize: 3, padding: 1)
        convShortcut = inputChannels == outputChannels ? nil : try Conv2d(inputChannels, outputChannels, kernelSize: 1)
    }

    /// x [N, H, W, C]; timeEmbedding [N, T] (nil in the VAE).
    func callAsFunction(_ x: MLXArray, timeEmbedding: MLXArray? = nil) throws -> MLXArray {
        var h = try conv1(norm1(x, thenSiLU: true))
        if let timeEmbProj, let timeEmbedding {
            h = try h + timeEmbProj(silu(timeEmbedding)).expandedDimensions(axes: [1, 2])
        }
        h = try conv2(norm2(h, thenSiLU: true))
        let shortcut = try convShortcut.map { try $0(x) } ?? x
        return try shortcut + h
    }
}
