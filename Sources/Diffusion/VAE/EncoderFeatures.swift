import MLXCore

/// A layer of the VAE encoder whose output can be read as a feature map (for a structure loss
/// on pictures, as Text2LIVE reads CLIP ViT tokens). "down_blocks.i output" is taken after that
/// block's downsampler, if it has one (diffusers' DownEncoderBlock2D output), so for SD's four
/// blocks down_blocks.0/1/2 are at H/2, H/4, H/8 and down_blocks.3 and mid_block at H/8.
public enum EncoderLayer: Hashable, Comparable, Sendable, CustomStringConvertible {
    case convIn
    case downBlock(Int)
    case midBlock

    /// Position along the encoding path; the encoder runs only as deep as the deepest requested layer.
    var depth: Int {
        switch self {
        case .convIn: return 0
        case .downBlock(let index): return 1 + index
        case .midBlock: return Int.max
        }
    }

    public static func < (a: EncoderLayer, b: EncoderLayer) -> Bool { a.depth < b.depth }

    public var description: String {
        switch self {
        case .convIn: return "conv_in"
        case .downBlock(let index): return "down_blocks.\(index)"
        case .midBlock: return "mid_block"
        }
    }

    /// Parses "conv_in", "down_blocks.2" (or "down2"), "mid_block" (or "mid").
    public init?(name: String) {
        switch name {
        case "conv_in": self = .convIn
        case "mid_block", "mid": self = .midBlock
        default:
            for prefix in ["down_blocks.", "down"] where name.hasPrefix(prefix) {
                let rest = String(name.dropFirst(prefix.count))
                if let index = Int(rest), index >= 0 { self = .downBlock(index); return }
            }
            return nil
        }
    }
}

extension VAEEncoder {
    /// The outputs of `layers`, running only as deep as the deepest of them (or, with
    /// `throughOutput`, the whole encoder, also returning conv_out's output).
    func features(_ image: MLXArray, layers: Set<EncoderLayer>, throughOutput: Bool) throws -> (features: [EncoderLayer: MLXArray], output: MLXArray?) {
        let deepest = layers.max()
        var result: [EncoderLayer: MLXArray] = [:]
        var h = try convIn(image)
        if layers.contains(.convIn) { result[.convIn] = h }
        for (index, block) in downBlocks.enumerated() {
            guard throughOutput || (deepest.map { EncoderLayer.downBlock(index) <= $0 } ?? false) else { return (result, nil) }
            h = try block(h)
            if layers.contains(.downBlock(index)) { result[.downBlock(index)] = h }
        }
        guard throughOutput || layers.contains(.midBlock) else { return (result, nil) }
        h = try midBlock(h)
        if layers.contains(.midBlock) { result[.midBlock] = h }
        return (result, throughOutput ? try convOut(convNormOut(h, thenSiLU: true)) : nil)
    }
}

extension AutoencoderKL {
    /// Encoder feature maps [N, h, w, C] of `image` ([N, H, W, 3] in [−1, 1]), running the
    /// encoder only as deep as needed. `encode` is unchanged by this.
    public func encoderFeatures(_ image: MLXArray, layers: Set<EncoderLayer>) throws -> [EncoderLayer: MLXArray] {
        try checkEncoderInput(image)
        try checkExists(layers)
        return try encoder.features(image, layers: layers, throughOutput: false).features
    }

    /// `encode(image)` and the features of `layers` from the same pass (what a structure loss on
    /// the picture that is also being encoded for the prior needs: one encoder pass, not two).
    public func encodeWithFeatures(_ image: MLXArray, layers: Set<EncoderLayer>) throws -> (mean: MLXArray, logVariance: MLXArray, features: [EncoderLayer: MLXArray]) {
        try checkEncoderInput(image)
        try checkExists(layers)
        let (features, output) = try encoder.features(image, layers: layers, throughOutput: true)
        guard let output else { throw DiffusionError.invalidInput("VAE encoder pass ended before conv_out") }
        let (mean, logVariance) = try gaussian(fromEncoderOutput: output)
        return (mean, logVariance, features)
    }

    private func checkExists(_ layers: Set<EncoderLayer>) throws {
        for layer in layers {
            if case .downBlock(let index) = layer, !(0..<encoder.downBlocks.count).contains(index) {
                throw DiffusionError.invalidInput("encoder layer \(layer) does not exist (the encoder has \(encoder.downBlocks.count) down blocks)")
            }
        }
    }
}
