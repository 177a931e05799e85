import MLXCore
import NN

/// A down block (CrossAttnDownBlock2D when it has attentions, DownBlock2D otherwise): resnets,
/// each optionally followed by a transformer, then a stride-2 downsampler except in the last block.
final class UNetDownBlock: Module {
    let resnets: [ResnetBlock2D]
    let attentions: [Transformer2DModel]
    let downsamplers: [Downsample2D]

    init(inputChannels: Int, outputChannels: Int, timeChannels: Int, layers: Int, crossAttention: Bool,
         heads: Int, transformerLayers: Int, configuration c: UNetConfiguration, addDownsample: Bool) throws {
        resnets = try (0..<layers).map { index in
            try ResnetBlock2D(inputChannels: index == 0 ? inputChannels : outputChannels, outputChannels: outputChannels,
                              timeEmbeddingChannels: timeChannels, groups: c.normGroups, eps: c.normEps)
        }
        attentions = crossAttention ? try (0..<layers).map { _ in
            try Transformer2DModel(channels: outputChannels, heads: heads, contextDimensions: c.crossAttentionDimensions,
                                   layers: transformerLayers, groups: c.normGroups, linearProjection: c.useLinearProjection)
        } : []
        downsamplers = addDownsample ? [try Downsample2D(channels: outputChannels, padding: c.downsamplePadding)] : []
    }

    /// Returns the block's output and the skip activations the matching up block consumes.
    func callAsFunction(_ x: MLXArray, time: MLXArray, context: MLXArray) throws -> (MLXArray, [MLXArray]) {
        var h = x
        var skips: [MLXArray] = []
        for (index, resnet) in resnets.enumerated() {
            h = try resnet(h, timeEmbedding: time)
            if !attentions.isEmpty { h = try attentions[index](h, context: context) }
            skips.append(h)
        }
        for downsampler in downsamplers {
            h = try downsampler(h)
            skips.append(h)
        }
        return (h, skips)
    }
}

/// UNetMidBlock2DCrossAttn: resnet, transformer, resnet.
final class UNetMidBlock: Module {
    let attentions: [Transformer2DModel]
    let resnets: [ResnetBlock2D]

    init(channels: Int, timeChannels: Int, heads: Int, transformerLayers: Int, configuration c: UNetConfiguration) throws {
        attentions = [try Transformer2DModel(channels: channels, heads: heads, contextDimensions: c.crossAttentionDimensions,
                                             layers: transformerLayers, groups: c.normGroups, linearProjection: c.useLinearProjection)]
        resnets = try (0..<2).map { _ in
            try ResnetBlock2D(inputChannels: channels, outputChannels: channels, timeEmbeddingChannels: timeChannels,
                              groups: c.normGroups, eps: c.normEps)
        }
    }

    func callAsFunction(_ x: MLXArray, time: MLXArray, context: MLXArray) throws -> MLXArray {
        var h = try resnets[0](x, timeEmbedding: time)
        h = try attentions[0](h, context: context)
        return try resnets[1](h, timeEmbedding: time)
    }
}

/// An up block (CrossAttnUpBlock2D / UpBlock2D): each resnet takes the running activation
/// concatenated with one skip (last in, first out), then an optional transformer; a nearest ×2
/// upsampler except in the last block.
final class UNetUpBlock: Module {
    let resnets: [ResnetBlock2D]
    let attentions: [Transformer2DModel]
    let upsamplers: [Upsample2D]

    init(inputChannels: Int, outputChannels: Int, previousOutputChannels: Int, timeChannels: Int, layers: Int,
         crossAttention: Bool, heads: Int, transformerLayers: Int, configuration c: UNetConfiguration, addUpsample: Bool) throws {
        resnets = try (0..<layers).map { index in
            let skipChannels = index == layers - 1 ? inputChannels : outputChannels
            let residualInput = index == 0 ? previousOutputChannels : outputChannels
            return try ResnetBlock2D(inputChannels: residualInput + skipChannels, outputChannels: outputChannels,
                                     timeEmbeddingChannels: timeChannels, groups: c.normGroups, eps: c.normEps)
        }
        attentions = crossAttention ? try (0..<layers).map { _ in
            try Transformer2DModel(channels: outputChannels, heads: heads, contextDimensions: c.crossAttentionDimensions,
                                   layers: transformerLayers, groups: c.normGroups, linearProjection: c.useLinearProjection)
        } : []
        upsamplers = addUpsample ? [try Upsample2D(channels: outputChannels)] : []
    }

    func callAsFunction(_ x: MLXArray, skips: inout [MLXArray], time: MLXArray, context: MLXArray,
                        upsampleSize: (height: Int, width: Int)?) throws -> MLXArray {
        var h = x
        for (index, resnet) in resnets.enumerated() {
            let skip = skips.removeLast()
            h = try resnet(concatenated([h, skip], axis: -1), timeEmbedding: time)
            if !attentions.isEmpty { h = try attentions[index](h, context: context) }
        }
        for upsampler in upsamplers {
            h = try upsampler(h, size: upsampleSize)
        }
        return h
    }
}
