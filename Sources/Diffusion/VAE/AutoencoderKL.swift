import MLXCore
import NN

/// Stable Diffusion's VAE encoder: image [N, H, W, 3] in [−1, 1] → Gaussian moments [N, h, w, 2·latent].
final class VAEEncoder: Module {
    let convIn: Conv2d
    let downBlocks: [EncoderDownBlock]
    let midBlock: VAEMidBlock
    let convNormOut: GroupNorm
    let convOut: Conv2d

    init(configuration c: VAEConfiguration) throws {
        let channels = c.blockOutChannels
        convIn = try Conv2d(c.inChannels, channels[0], kernelSize: 3, padding: 1)
        downBlocks = try channels.indices.map { index in
            try EncoderDownBlock(inputChannels: index == 0 ? channels[0] : channels[index - 1], outputChannels: channels[index],
                                 layers: c.layersPerBlock, groups: c.normGroups, addDownsample: index < channels.count - 1)
        }
        midBlock = try VAEMidBlock(channels: channels.last!, groups: c.normGroups, addAttention: c.midBlockAddAttention)
        convNormOut = try GroupNorm(groups: c.normGroups, channels: channels.last!, eps: 1e-6)
        convOut = try Conv2d(channels.last!, 2 * c.latentChannels, kernelSize: 3, padding: 1)
    }

    func callAsFunction(_ image: MLXArray) throws -> MLXArray {
        var h = try convIn(image)
        for block in downBlocks { h = try block(h) }
        h = try midBlock(h)
        return try convOut(convNormOut(h, thenSiLU: true))
    }
}

/// A layer of the VAE decoder whose output the feature-matching loss can read (SPEC §2).
public enum DecoderLayer: Hashable, Comparable, Sendable, CustomStringConvertible {
    case convIn
    case midBlock
    case upBlock(Int)

    /// Position along the decoding path; the decoder runs only as deep as the deepest requested layer.
    var depth: Int {
        switch self {
        case .convIn: return 0
        case .midBlock: return 1
        case .upBlock(let index): return 2 + index
        }
    }

    public static func < (a: DecoderLayer, b: DecoderLayer) -> Bool { a.depth < b.depth }

    public var description: String {
        switch self {
        case .convIn: return "conv_in"
        case .midBlock: return "mid_block"
        case .upBlock(let index): return "up_blocks.\(index)"
        }
    }

    /// Parses "mid_block", "up_blocks.1" (or "up1"), "conv_in".
    public init?(name: String) {
        switch name {
        case "conv_in": self = .convIn
        case "mid_block", "mid": self = .midBlock
        default:
            for prefix in ["up_blocks.", "up_blocks[", "up"] where name.hasPrefix(prefix) {
                let digits = name.dropFirst(prefix.count).filter(\.isNumber)
                if let index = Int(String(digits)) { self = .upBlock(index); return }
            }
            return nil
        }
    }
}

/// Stable Diffusion's VAE decoder: latent [N, h, w, latent] (after post_quant_conv) → image [N, H, W, 3].
final class VAEDecoder: Module {
    let convIn: Conv2d
    let midBlock: VAEMidBlock
    let upBlocks: [DecoderUpBlock]
    let convNormOut: GroupNorm
    let convOut: Conv2d

    init(configuration c: VAEConfiguration) throws {
        let reversed = Array(c.blockOutChannels.reversed())
        convIn = try Conv2d(c.latentChannels, reversed[0], kernelSize: 3, padding: 1)
        midBlock = try VAEMidBlock(channels: reversed[0], groups: c.normGroups, addAttention: c.midBlockAddAttention)
        upBlocks = try reversed.indices.map { index in
            try DecoderUpBlock(inputChannels: index == 0 ? reversed[0] : reversed[index - 1], outputChannels: reversed[index],
                               layers: c.layersPerBlock + 1, groups: c.normGroups, addUpsample: index < reversed.count - 1)
        }
        convNormOut = try GroupNorm(groups: c.normGroups, channels: c.blockOutChannels[0], eps: 1e-6)
        convOut = try Conv2d(c.blockOutChannels[0], c.outChannels, kernelSize: 3, padding: 1)
    }

    func callAsFunction(_ z: MLXArray) throws -> MLXArray {
        var h = try midBlock(convIn(z))
        for block in upBlocks { h = try block(h) }
        return try convOut(convNormOut(h, thenSiLU: true))
    }

    /// The outputs of `layers`, running the decoder only as deep as the deepest of them — or, with
    /// `throughOutput`, the whole way, also returning the decoded image (what an implementation
    /// that reads features from a full decode pays; benchmarks compare the two).
    func features(_ z: MLXArray, layers: Set<DecoderLayer>, throughOutput: Bool = false) throws -> (features: [DecoderLayer: MLXArray], image: MLXArray?) {
        guard let deepest = layers.max() else { return ([:], throughOutput ? try callAsFunction(z) : nil) }
        var result: [DecoderLayer: MLXArray] = [:]
        var h = try convIn(z)
        if layers.contains(.convIn) { result[.convIn] = h }
        guard deepest > .convIn || throughOutput else { return (result, nil) }
        h = try midBlock(h)
        if layers.contains(.midBlock) { result[.midBlock] = h }
        for (index, block) in upBlocks.enumerated() where throughOutput || DecoderLayer.upBlock(index) <= deepest {
            h = try block(h)
            if layers.contains(.upBlock(index)) { result[.upBlock(index)] = h }
        }
        return (result, throughOutput ? try convOut(convNormOut(h, thenSiLU: true)) : nil)
    }
}

/// diffusers' AutoencoderKL. Latents here are *unscaled* (multiply by `scalingFactor` for the
/// diffusion model's latent space, as pipelines do).
public final class AutoencoderKL: Module {
    public let configuration: VAEConfiguration
    let encoder: VAEEncoder
    let decoder: VAEDecoder
    let quantConv: Conv2d?
    let postQuantConv: Conv2d?

    /// Latent scale of the diffusion model's space (config `scaling_factor`); settable so a newly
    /// trained VAE can record 1/std of its latents, as Stable Diffusion's 0.18215 was chosen.
    public var scalingFactor: Float

    public init(configuration c: VAEConfiguration) throws {
        configuration = c
        scalingFactor = c.scalingFactor
        encoder = try VAEEncoder(configuration: c)
        decoder = try VAEDecoder(configuration: c)
        quantConv = c.useQuantConv ? try Conv2d(2 * c.latentChannels, 2 * c.latentChannels, kernelSize: 1) : nil
        postQuantConv = c.usePostQuantConv ? try Conv2d(c.latentChannels, c.latentChannels, kernelSize: 1) : nil
    }

    /// image [N, H, W, 3] in [−1, 1] → (mean, logvar), each [N, h, w, latent]; logvar clamped to [−30, 20].
    public func encode(_ image: MLXArray) throws -> (mean: MLXArray, logVariance: MLXArray) {
        try checkEncoderInput(image)
        return try gaussian(fromEncoderOutput: try encoder(image))
    }

    /// The encoder's conv_out output → (mean, logvar) through quant_conv, logvar clamped as diffusers does.
    func gaussian(fromEncoderOutput output: MLXArray) throws -> (mean: MLXArray, logVariance: MLXArray) {
        var moments = output
        if let quantConv { moments = try quantConv(moments) }
        let halves = try moments.split(parts: 2, axis: -1)
        return (halves[0], try clip(halves[1], min: -30, max: 20))
    }

    /// Unscaled latents [N, h, w, latent] → image [N, H, W, 3] (roughly in [−1, 1]).
    public func decode(_ latents: MLXArray) throws -> MLXArray {
        try decoder(postQuantConvolved(latents))
    }

    /// Decoder features for the feature-matching loss, from unscaled latents; only as deep as needed.
    public func decoderFeatures(_ latents: MLXArray, layers: Set<DecoderLayer>) throws -> [DecoderLayer: MLXArray] {
        try checkExists(layers)
        return try decoder.features(postQuantConvolved(latents), layers: layers).features
    }

    /// The decoded image and the features of `layers` read on the way (the whole decoder runs).
    public func decodeWithFeatures(_ latents: MLXArray, layers: Set<DecoderLayer>) throws -> (image: MLXArray, features: [DecoderLayer: MLXArray]) {
        try checkExists(layers)
        let (features, image) = try decoder.features(postQuantConvolved(latents), layers: layers, throughOutput: true)
        return (image!, features)
    }

    func checkEncoderInput(_ image: MLXArray) throws {
        guard image.ndim == 4, image.dim(3) == configuration.inChannels else {
            throw DiffusionError.invalidInput("VAE encoder input must be [N, H, W, \(configuration.inChannels)] (channels-last), got \(image.shape)")
        }
    }

    private func checkExists(_ layers: Set<DecoderLayer>) throws {
        for layer in layers {
            if case .upBlock(let index) = layer, !(0..<decoder.upBlocks.count).contains(index) {
                throw DiffusionError.invalidInput("decoder layer \(layer) does not exist (the decoder has \(decoder.upBlocks.count) up blocks)")
            }
        }
    }

    private func postQuantConvolved(_ latents: MLXArray) throws -> MLXArray {
        guard latents.ndim == 4, latents.dim(3) == configuration.latentChannels else {
            throw DiffusionError.invalidInput("VAE latents must be [N, h, w, \(configuration.latentChannels)] (channels-last), got \(latents.shape)")
        }
        guard let postQuantConv else { return latents }
        return try postQuantConv(latents)
    }
}
