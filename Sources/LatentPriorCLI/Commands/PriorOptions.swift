import ArgumentParser
import Prior

extension PriorConfiguration.Weighting: ExpressibleByArgument {}

/// The prior's settings as command-line options, shared by every command that optimises.
struct PriorOptions: ParsableArguments {
    @Option(help: "Classifier-free guidance scale (default: the model's latent_prior.json, else 100 as in DreamFusion).")
    var guidanceScale: Float?

    @Option(help: "Weighting w(t): 1-alpha (DreamFusion), sqrt-alpha-1-alpha (Latent-NeRF) or uniform.")
    var weighting: PriorConfiguration.Weighting = .oneMinusAlpha

    @Option(help: "Smallest t as a fraction of the training timesteps (default 0.02; adapt-stylegan 0.01 as StyleGANFusion).")
    var tMin: Float?

    @Option(help: "Largest t as a fraction of the training timesteps (default 0.98; adapt-stylegan 0.5 as StyleGANFusion).")
    var tMax: Float?

    @Option(help: "Anneal t-max linearly to this fraction over the run.")
    var tMaxFinal: Float?

    @Option(help: "Weight of latent score distillation.")
    var lambdaLsd: Float = 1

    @Option(help: "Weight of feature matching through the VAE decoder (default: 100, chosen in docs/PRIOR.md).")
    var lambdaFm: Float?

    @Option(help: "Weight of the KL regulariser (default: 100, chosen in docs/PRIOR.md).")
    var lambdaKl: Float?

    @Flag(help: "Turn feature matching off (LSD only, or LSD + KL).")
    var noFm = false

    @Flag(help: "Turn the KL regulariser off.")
    var noKl = false

    @Option(parsing: .upToNextOption, help: "Decoder layers for feature matching: mid_block, up_blocks.N, conv_in.")
    var fmLayers: [String] = ["mid_block", "up_blocks.0", "up_blocks.1"]

    var configuration: PriorConfiguration { configuration(defaultGuidance: PriorConfiguration().guidanceScale) }

    /// The settings, with `defaultGuidance` when --guidance-scale is not given and the λ of
    /// `defaults` when --lambda-fm / --lambda-kl are not.
    func configuration(defaultGuidance: Float, defaults: PriorConfiguration = PriorConfiguration()) -> PriorConfiguration {
        var c = PriorConfiguration()
        c.guidanceScale = guidanceScale ?? defaultGuidance
        c.weighting = weighting
        c.tMin = tMin ?? defaults.tMin
        c.tMax = tMax ?? defaults.tMax
        c.tMaxFinal = tMaxFinal
        c.lambdaLSD = lambdaLsd
        c.lambdaFM = noFm ? 0 : lambdaFm ?? defaults.lambdaFM
        c.lambdaKL = noKl ? 0 : lambdaKl ?? defaults.lambdaKL
        c.featureMatchingLayers = fmLayers
        return c
    }
}
