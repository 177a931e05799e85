import MLXCore
import NN

/// The VAE's mid-block attention (diffusers' Attention with group_norm, one head over all channels,
/// biased projections, residual connection) over the H·W positions.
final class SpatialSelfAttention: Module {
    let groupNorm: GroupNorm
    let attention: MultiHeadAttention

    init(channels: Int, groups: Int, eps: Float) throws {
        groupNorm = try GroupNorm(groups: groups, channels: channels, eps: eps)
        attention = try MultiHeadAttention(queryDimensions: channels, heads: 1, headDimensions: channels, projectionBias: true)
    }

    /// diffusers keeps the projections at this level (to_q, to_out.0, …): an empty key merges them.
    override var keyOverrides: [String: String] { ["attention": ""] }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let (batch, height, width, channels) = (x.dim(0), x.dim(1), x.dim(2), x.dim(3))
        let tokens = try groupNorm(x).reshaped(batch, height * width, channels)
        return try attention(tokens).reshaped(batch, height, width, channels) + x
    }
}

/// UNetMidBlock2D without time embedding: resnet, attention, resnet.
final class VAEMidBlock: Module {
    let attentions: [SpatialSelfAttention]
    let resnets: [ResnetBlock2D]

    init(channels: Int, groups: Int, addAttention: Bool) throws {
        attentions = addAttention ? [try SpatialSelfAttention(channels: channels, groups: groups, eps: 1e-6)] : []
        resnets = try (0..<2).map { _ in
            try ResnetBlock2D(inputChannels: channels, outputChannels: channels, timeEmbeddingChannels: nil, groups: groups, eps: 1e-6)
        }
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        var h = try resnets[0](x)
        for attention in attentions { h = try attention(h) }
        return try resnets[1](h)
    }
}

/// DownEncoderBlock2D: resnets, then a stride-2 downsampler with diffusers' (0, 1, 0, 1) padding.
final class EncoderDownBlock: Module {
    let resnets: [ResnetBlock2D]
    let downsamplers: [Downsample2D]

    init(inputChannels: Int, outputChannels: Int, layers: Int, groups: Int, addDownsample: Bool) throws {
        resnets = try (0..<layers).map { index in
            try ResnetBlock2D(inputChannels: index == 0 ? inputChannels : outputChannels, outputChannels: outputChannels,
                              timeEmbeddingChannels: nil, groups: groups, eps: 1e-6)
        }
        downsamplers = addDownsample ? [try Downsample2D(channels: outputChannels, padding: 0)] : []
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        var h = x
        for resnet in resnets { h = try resnet(h) }
        for downsampler in downsamplers { h = try downsampler(h) }
        return h
    }
}

/// UpDecoderBlock2D: resnets, then a nearest ×2 upsampler.
final class DecoderUpBlock: Module {
    let resnets: [ResnetBlock2D]
    let upsamplers: [Upsample2D]

    init(inputChannels: Int, outputChannels: Int, layers: Int, groups: Int, addUpsample: Bool) throws {
        resnets = try (0..<layers).map { index in
            try ResnetBlock2D(inputChannels: index == 0 ? inputChannels : outputChannels, outputChannels: outputChannels,
                              timeEmbeddingChannels: nil, groups: groups, eps: 1e-6)
        }
        upsamplers = addUpsample ? [try Upsample2D(channels: outputChannels)] : []
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        var h = x
        for resnet in resnets { h = try resnet(h) }
        for upsampler in upsamplers { h = try upsampler(h) }
        return h
    }
}
