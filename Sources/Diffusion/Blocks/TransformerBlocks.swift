import MLXCore
import NN

/// A module without parameters, holding a place in a ModuleList (dropout at inference).
final class Identity: Module {}

/// GEGLU: a Linear to twice the width, the second half gating the first through exact GELU.
final class GEGLU: Module {
    let proj: Linear

    init(inputDimensions: Int, outputDimensions: Int) throws {
        proj = try Linear(inputDimensions, outputDimensions * 2)
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        try gatedGelu(proj(x))
    }
}

/// diffusers' FeedForward with geglu: net.0 = GEGLU(dim → 4·dim), net.1 = dropout, net.2 = Linear back.
final class FeedForward: Module {
    let net: [Module]

    init(dimensions: Int, multiplier: Int = 4) throws {
        net = [try GEGLU(inputDimensions: dimensions, outputDimensions: dimensions * multiplier),
               Identity(),
               try Linear(dimensions * multiplier, dimensions)]
    }

    /// x [B, L, C]. Long sequences go through in blocks of tokens whose widest intermediate (the
    /// GEGLU projection, 8·C wide) stays under `blockBytes`: SD 1.5's 4096-token blocks at batch 2
    /// would otherwise allocate 84 MB at once, which glibc maps and the kernel zeroes afresh on
    /// every call, where blocks are reused from the heap (allocator_tuning.cpp).
    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let geglu = net[0] as! GEGLU, output = net[2] as! Linear
        let rowBytes = x.dim(0) * geglu.proj.outputDimensions * MemoryLayout<Float>.size
        let blockLength = max(1, Self.blockBytes / max(rowBytes, 1))
        let length = x.ndim == 3 ? x.dim(1) : 0
        guard length > blockLength else { return try output(geglu(x)) }
        let blocks = try stride(from: 0, to: length, by: blockLength).map { start in
            try output(geglu(x.sliced(axis: 1, start..<min(start + blockLength, length))))
        }
        return try concatenated(blocks, axis: 1)
    }

    static let blockBytes = 16 << 20
}

/// diffusers' BasicTransformerBlock: self-attention, cross-attention to the text, GEGLU MLP,
/// each pre-LayerNorm with a residual.
final class BasicTransformerBlock: Module {
    let norm1: LayerNorm
    let attn1: MultiHeadAttention
    let norm2: LayerNorm
    let attn2: MultiHeadAttention
    let norm3: LayerNorm
    let ff: FeedForward

    init(dimensions: Int, heads: Int, headDimensions: Int, contextDimensions: Int) throws {
        norm1 = try LayerNorm(dimensions)
        attn1 = try MultiHeadAttention(queryDimensions: dimensions, heads: heads, headDimensions: headDimensions)
        norm2 = try LayerNorm(dimensions)
        attn2 = try MultiHeadAttention(queryDimensions: dimensions, contextDimensions: contextDimensions,
                                       heads: heads, headDimensions: headDimensions)
        norm3 = try LayerNorm(dimensions)
        ff = try FeedForward(dimensions: dimensions)
    }

    func callAsFunction(_ x: MLXArray, context: MLXArray) throws -> MLXArray {
        var h = try attn1(norm1(x)) + x
        h = try attn2(norm2(h), context: context) + h
        return try ff(norm3(h)) + h
    }
}

/// diffusers' Transformer2DModel for SD: GroupNorm, projection in (1×1 conv, or Linear when
/// `use_linear_projection` as in SD 2.x), transformer blocks over the H·W tokens, projection out, residual.
final class Transformer2DModel: Module {
    let norm: GroupNorm
    let projIn: Module
    let transformerBlocks: [BasicTransformerBlock]
    let projOut: Module
    let linearProjection: Bool

    init(channels: Int, heads: Int, contextDimensions: Int, layers: Int, groups: Int, linearProjection: Bool) throws {
        let headDimensions = channels / heads
        let inner = heads * headDimensions
        norm = try GroupNorm(groups: groups, channels: channels, eps: 1e-6)
        projIn = linearProjection ? try Linear(channels, inner) : try Conv2d(channels, inner, kernelSize: 1)
        transformerBlocks = try (0..<layers).map { _ in
            try BasicTransformerBlock(dimensions: inner, heads: heads, headDimensions: headDimensions,
                                      contextDimensions: contextDimensions)
        }
        projOut = linearProjection ? try Linear(inner, channels) : try Conv2d(inner, channels, kernelSize: 1)
        self.linearProjection = linearProjection
    }

    /// x [N, H, W, C]; context [N, S, D].
    func callAsFunction(_ x: MLXArray, context: MLXArray) throws -> MLXArray {
        let (batch, height, width, channels) = (x.dim(0), x.dim(1), x.dim(2), x.dim(3))
        var h = try norm(x)
        if linearProjection {
            h = try (projIn as! Linear)(h.reshaped(batch, height * width, channels))
        } else {
            h = try (projIn as! Conv2d)(h)
            h = try h.reshaped(batch, height * width, h.dim(3))
        }
        for block in transformerBlocks {
            h = try block(h, context: context)
        }
        if linearProjection {
            h = try (projOut as! Linear)(h).reshaped(batch, height, width, channels)
        } else {
            h = try (projOut as! Conv2d)(h.reshaped(batch, height, width, h.dim(2)))
        }
        return try h + x
    }
}
