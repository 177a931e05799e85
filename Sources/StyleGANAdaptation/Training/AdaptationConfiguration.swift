import Foundation
import Prior
import Runs

/// An `adapt-stylegan` run (StyleGAN-NADA's setting with the latent diffusion prior in place of
/// CLIP; StyleGANFusion's recipe): a copy of a pretrained StyleGAN2 generator is fine-tuned so its
/// samples match the prompt while a frozen copy shows where each came from. Defaults from SPEC §7.
public struct AdaptationConfiguration: RunConfiguration {
    /// Which generator layers train.
    public enum Layers: Codable, Equatable, Sendable, CustomStringConvertible {
        /// conv1 and every conv (NADA's default; mapping and ToRGB frozen).
        case all
        /// NADA's adaptive choice: each step, one SGD step on W+ codes under the prior picks the `count`
        /// layers whose codes moved most.
        case auto(count: Int)
        /// These W+ indices' layers (0 = conv1, 2… = convs.0…; 1 is to_rgb1, which stays frozen).
        case indices([Int])

        public var description: String {
            switch self {
            case .all: return "all"
            case .auto(let count): return "auto:\(count)"
            case .indices(let list): return list.map(String.init).joined(separator: ",")
            }
        }

        /// "all", "auto", "auto:K" or a comma-separated list of W+ indices.
        public init?(argument: String) {
            if argument == "all" { self = .all; return }
            if argument == "auto" { self = .auto(count: 3); return }
            if argument.hasPrefix("auto:"), let count = Int(argument.dropFirst(5)), count > 0 { self = .auto(count: count); return }
            let parts = argument.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
            self = .indices(parts.map { $0! })
        }
    }

    public var prompt: String
    public var negativePrompt = ""
    public var model: String
    /// The generator to adapt: a rosinality `.pt` or our `.safetensors` (rosinality keys).
    public var generator: String
    public var iterations = 300
    public var seed: UInt64 = 0
    public var saveEvery = 50
    public var batch = 2
    public var learningRate: Float = 0.002
    public var layers = Layers.all
    /// Samples in before/ and after/ (fixed z from the seed) and their truncation ψ (NADA: 0.7).
    public var samples = 16
    public var sampleTruncation: Float = 0.7
    /// StyleGANFusion clamps the LSD gradient to [−1, 1].
    public var clampLSD: Float? = 1
    public var priorGradient = PriorGradientPath.encoder
    /// Weight of the structure term that keeps each adapted sample's layout like the frozen
    /// generator's (StyleGANFusion's regularisers against the frozen generator are LPIPS and CLIP
    /// based; this is `edit`'s term, self-similarity of VAE-encoder mid-block features, which needs no
    /// other network). 0 for Stable Diffusion (StyleGANFusion's main setting has no regulariser).
    public var lambdaStructure: Float = 0
    public var prior: PriorConfiguration

    public init(prompt: String, model: String, generator: String) {
        self.prompt = prompt
        self.model = model
        self.generator = generator
        prior = PriorConfiguration()
        // StyleGANFusion: t ~ U[10, 500] of 1000.
        prior.tMin = 0.01
        prior.tMax = 0.5
    }

    public var resumableSettingsCleared: AdaptationConfiguration {
        var c = self
        c.iterations = 0
        c.saveEvery = 0
        c.samples = 0
        c.sampleTruncation = 0
        return c
    }

    public func validated() throws -> AdaptationConfiguration {
        try validatedRunSettings()
        func fail(_ message: String) -> Error { RunError.invalidSetting(message) }
        guard (1...64).contains(batch) else { throw fail("--batch must lie in 1…64, got \(batch)") }
        guard learningRate > 0, learningRate.isFinite else { throw fail("--lr must be a positive number, got \(learningRate)") }
        guard (1...1024).contains(samples) else { throw fail("--samples must lie in 1…1024, got \(samples)") }
        guard sampleTruncation > 0, sampleTruncation <= 1 else { throw fail("--sample-truncation must lie in (0, 1], got \(sampleTruncation)") }
        guard lambdaStructure >= 0, lambdaStructure.isFinite else { throw fail("--lambda-structure must be a non-negative number, got \(lambdaStructure)") }
        if let clampLSD, !(clampLSD > 0) { throw fail("--clamp must be positive, got \(clampLSD)") }
        switch layers {
        case .auto(let count) where count < 1: throw fail("--layers auto:K needs K ≥ 1")
        case .indices(let list) where list.isEmpty: throw fail("--layers needs at least one index")
        default: break
        }
        return self
    }
}

extension AdaptationConfiguration {
    /// Models whose pictures are at most this many pixels across are "small" (the toy model: 64).
    static let smallModelImageSize = 128

    /// What a small model (the toy one) changes, measured in the toy study (docs/STYLEGAN.md).
    public static let smallModelDefaults = (iterations: 150, batch: 4, learningRate: Float(0.002), lambdaStructure: Float(50),
                                            priorGradient: PriorGradientPath.decoder)

    /// The defaults for a model that makes `imageSize`-pixel pictures: StyleGANFusion's for Stable
    /// Diffusion; for a small model the measured toy settings (`smallModelDefaults`): the prior's
    /// gradient through the decoder, a batch of 4, the structure term on.
    public func scaled(toModelImageSize imageSize: Int) -> AdaptationConfiguration {
        var c = self
        if imageSize <= Self.smallModelImageSize {
            let small = Self.smallModelDefaults
            c.priorGradient = small.priorGradient
            c.batch = small.batch
            c.iterations = small.iterations
            c.learningRate = small.learningRate
            c.lambdaStructure = small.lambdaStructure
        } else {
            c.priorGradient = .encoder
            c.batch = 2
            c.iterations = 300
        }
        return c
    }
}
