import Diffusion
import Foundation
import Prior
import Runs

/// A `latent-prior edit` run (Text2LIVE's layered editing with the latent diffusion prior in place
/// of CLIP): written to the run folder as config.json; a resumed run must match it in everything
/// but the iteration count and the output settings. Defaults are Text2LIVE's
/// (configs/image_config.yaml, util/util.py) unless a comment says otherwise.
public struct EditConfiguration: RunConfiguration {
    /// How the prior's latent-space gradient reaches the composite's pixels (Prior's PriorGradientPath).
    public typealias PriorGradientPath = Prior.PriorGradientPath

    public var prompt: String
    public var negativePrompt = ""
    /// The prompt of the edit layer over a green screen; nil: "<prompt> over a green screen".
    public var screenPrompt: String?
    public var model: String
    /// The picture to edit, and an optional mask (white: where the edit belongs).
    public var image: String
    public var mask: String?
    /// FNV-1a of the input's pixels: a resumed run must edit the same picture (wherever it lies now).
    public var imageFingerprint = ""
    public var iterations = 1000
    public var seed: UInt64 = 0
    public var saveEvery = 100
    /// MADGRAD (momentum 0.9, weight decay 0.01), the rate ×`learningRateDecay` per step down to
    /// `minimumLearningRate`.
    public var learningRate: Float = 0.0025
    public var learningRateDecay: Float = 0.99
    public var minimumLearningRate: Float = 1e-5
    public var weightDecay: Float = 0.01
    public var generator = SkipGeneratorConfiguration()
    public var augmentation = AugmentationSettings()
    /// Weights of the prior's total on the composite and on the green-screen layer.
    public var lambdaComposite: Float = 1
    public var priorGradient = PriorGradientPath.encoder
    public var lambdaScreen: Float = 1
    /// The structure term: self-similarity of the frozen VAE encoder's `structureLayer` features
    /// of input and composite, positions subsampled to at most `structureTokens`.
    public var lambdaStructure: Float = 2
    public var structureLayer = "mid_block"
    public var structureTokens = 1024
    public var sparsity = AlphaSparsity()
    /// Supervision of α by the user's mask, annealed linearly to 0 over `bootstrap.steps` steps.
    public var bootstrap = MaskBootstrap()
    public var prior = PriorConfiguration()

    public init(prompt: String, model: String, image: String) {
        self.prompt = prompt
        self.model = model
        self.image = image
    }

    /// The green-screen prompt in use.
    public var effectiveScreenPrompt: String { screenPrompt ?? "\(prompt) over a green screen" }

    public var resumableSettingsCleared: EditConfiguration {
        var c = self
        c.iterations = 0
        c.saveEvery = 0
        c.image = ""  // the fingerprint decides: the same picture may have moved
        c.mask = c.mask == nil ? nil : ""
        return c
    }

    /// The learning rate at `step` (1-based): lr · decay^(step − 1), never below the minimum.
    public func learningRate(atStep step: Int) -> Float {
        max(minimumLearningRate, Float(Double(learningRate) * pow(Double(learningRateDecay), Double(step - 1))))
    }

    public var structureEncoderLayer: EncoderLayer? { EncoderLayer(name: structureLayer) }

    /// Checks the settings a user can get wrong; messages name the option.
    public func validated() throws -> EditConfiguration {
        try validatedRunSettings()
        func fail(_ message: String) -> Error { RunError.invalidSetting(message) }
        guard !image.isEmpty else { throw fail("--image is empty") }
        if lambdaScreen > 0, effectiveScreenPrompt.trimmingCharacters(in: .whitespaces).isEmpty {
            throw fail("--screen-prompt is empty (give --lambda-screen 0 to turn the green-screen term off)")
        }
        guard learningRate > 0, learningRate.isFinite else { throw fail("--lr must be a positive number, got \(learningRate)") }
        guard learningRateDecay > 0, learningRateDecay <= 1 else { throw fail("--lr-decay must lie in (0, 1], got \(learningRateDecay)") }
        guard minimumLearningRate >= 0, minimumLearningRate <= learningRate else {
            throw fail("--min-lr must lie in [0, --lr], got \(minimumLearningRate)")
        }
        guard weightDecay >= 0, weightDecay.isFinite else { throw fail("--weight-decay must not be negative, got \(weightDecay)") }
        try generator.validate()
        guard generator.skipChannels > 0 else { throw fail("--skip-channels must be at least 1 (without skips the network's output outgrows its input)") }
        try augmentation.validate()
        for (name, value) in [("--lambda-composite", lambdaComposite), ("--lambda-screen", lambdaScreen), ("--lambda-structure", lambdaStructure),
                              ("--lambda-sparsity", sparsity.weight), ("--lambda-mask", bootstrap.weight)] where !(value >= 0 && value.isFinite) {
            throw fail("\(name) must be a non-negative number, got \(value)")
        }
        guard structureEncoderLayer != nil else {
            throw fail("--structure-layer '\(structureLayer)' is not a VAE encoder layer (use conv_in, down_blocks.N or mid_block)")
        }
        guard (16...16384).contains(structureTokens) else { throw fail("--structure-tokens must lie in 16…16384, got \(structureTokens)") }
        guard bootstrap.steps >= 0 else { throw fail("--mask-steps must not be negative, got \(bootstrap.steps)") }
        return self
    }
}

extension EditConfiguration {
    /// Models whose pictures are at most this many pixels across are "small" (the toy model: 64).
    static let smallModelImageSize = 128

    /// The defaults for a model that makes `imageSize`-pixel pictures: Text2LIVE's network, rate and
    /// weights for Stable Diffusion; for a small model (the toy world's 64-pixel pictures) the
    /// settings of the measured study in docs/EDITING.md: a network of 4 scales (64 → 4 pixels) and
    /// 32 channels, 300 steps of 4 views at rate 0.02, sparsity 30, the prior's gradient through the
    /// decoder, and no green-screen term (the toy model has never seen a green screen).
    public func scaled(toModelImageSize imageSize: Int) -> EditConfiguration {
        var c = self
        if imageSize <= Self.smallModelImageSize {
            c.generator = SkipGeneratorConfiguration(scales: 4, downChannels: 32, upChannels: 32, skipChannels: 4)
            c.iterations = 300
            c.augmentation.viewsPerStep = 4
            c.learningRate = 0.02
            c.sparsity.weight = 30
            c.priorGradient = .decoder
            c.lambdaScreen = 0
        } else {
            c.generator = SkipGeneratorConfiguration()
            c.iterations = 1000
            c.augmentation.viewsPerStep = 1
            c.learningRate = 0.0025
            c.sparsity.weight = 6
            c.priorGradient = .encoder
            c.lambdaScreen = 1
        }
        c.bootstrap.steps = c.iterations
        return c
    }
}
