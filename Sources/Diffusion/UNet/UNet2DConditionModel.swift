import MLXCore
import NN

/// Stable Diffusion's denoiser, diffusers' UNet2DConditionModel (SD 1.x and 2.x configurations):
/// ε̂ (or v̂) = UNet(z_t, t, text embeddings). Channels-last: sample [N, H, W, C].
public final class UNet2DConditionModel: Module {
    public let configuration: UNetConfiguration
    let convIn: Conv2d
    let timeEmbedding: TimestepEmbedding
    let downBlocks: [UNetDownBlock]
    let midBlock: UNetMidBlock
    let upBlocks: [UNetUpBlock]
    let convNormOut: GroupNorm
    let convOut: Conv2d

    public init(configuration c: UNetConfiguration) throws {
        configuration = c
        let channels = c.blockOutChannels
        let timeChannels = channels[0] * 4
        convIn = try Conv2d(c.inChannels, channels[0], kernelSize: 3, padding: 1)
        timeEmbedding = try TimestepEmbedding(inputDimensions: channels[0], embeddingDimensions: timeChannels)
        downBlocks = try channels.indices.map { index in
            try UNetDownBlock(
                inputChannels: index == 0 ? channels[0] : channels[index - 1], outputChannels: channels[index],
                timeChannels: timeChannels, layers: c.layersPerBlock[index],
                crossAttention: c.downBlockTypes[index] == "CrossAttnDownBlock2D", heads: c.attentionHeads[index],
                transformerLayers: c.transformerLayersPerBlock[index], configuration: c,
                addDownsample: index < channels.count - 1)
        }
        midBlock = try UNetMidBlock(channels: channels.last!, timeChannels: timeChannels, heads: c.attentionHeads.last!,
                                    transformerLayers: c.transformerLayersPerBlock.last!, configuration: c)
        let reversedChannels = Array(channels.reversed())
        let reversedHeads = Array(c.attentionHeads.reversed())
        let reversedLayers = Array(c.layersPerBlock.reversed())
        let reversedTransformerLayers = Array(c.transformerLayersPerBlock.reversed())
        upBlocks = try reversedChannels.indices.map { index in
            try UNetUpBlock(
                inputChannels: reversedChannels[min(index + 1, channels.count - 1)], outputChannels: reversedChannels[index],
                previousOutputChannels: index == 0 ? reversedChannels[0] : reversedChannels[index - 1],
                timeChannels: timeChannels, layers: reversedLayers[index] + 1,
                crossAttention: c.upBlockTypes[index] == "CrossAttnUpBlock2D", heads: reversedHeads[index],
                transformerLayers: reversedTransformerLayers[index], configuration: c,
                addUpsample: index < channels.count - 1)
        }
        convNormOut = try GroupNorm(groups: c.normGroups, channels: channels[0], eps: c.normEps)
        convOut = try Conv2d(channels[0], c.outChannels, kernelSize: 3, padding: 1)
    }

    /// sample [N, H, W, C_in], timesteps [N] (or [1], broadcast), context [N, L, D] → [N, H, W, C_out].
    public func callAsFunction(_ sample: MLXArray, timesteps: MLXArray, context: MLXArray) throws -> MLXArray {
        guard sample.ndim == 4, sample.dim(3) == configuration.inChannels else {
            throw DiffusionError.invalidInput("UNet sample must be [N, H, W, \(configuration.inChannels)] (channels-last), got \(sample.shape)")
        }
        guard context.ndim == 3, context.dim(2) == configuration.crossAttentionDimensions else {
            throw DiffusionError.invalidInput(
                "UNet context must be [N, L, \(configuration.crossAttentionDimensions)], got \(context.shape)")
        }
        let batch = sample.dim(0)
        let steps = timesteps.ndim == 0 ? try timesteps.reshaped(1) : timesteps
        let features = try sinusoidalTimestepFeatures(
            steps.size == 1 ? try steps.broadcast(to: [batch]) : steps, dimensions: configuration.blockOutChannels[0],
            flipSinToCos: configuration.flipSinToCos, frequencyShift: configuration.frequencyShift)
        let time = try timeEmbedding(features.asType(sample.dtype))

        var h = configuration.centerInputSample ? try sample * 2 - 1 : sample
        h = try convIn(h)
        var skips: [MLXArray] = [h]
        for block in downBlocks {
            let (output, blockSkips) = try block(h, time: time, context: context)
            h = output
            skips += blockSkips
        }
        h = try midBlock(h, time: time, context: context)
        for (index, block) in upBlocks.enumerated() {
            // Upsample to the size of the next skip, so odd sizes round-trip (diffusers' upsample_size).
            let nextSkipIndex = skips.count - block.resnets.count - 1
            let size = index < upBlocks.count - 1 && nextSkipIndex >= 0
                ? (skips[nextSkipIndex].dim(1), skips[nextSkipIndex].dim(2)) : nil
            h = try block(h, skips: &skips, time: time, context: context, upsampleSize: size)
        }
        return try convOut(convNormOut(h, thenSiLU: true))
    }
}
