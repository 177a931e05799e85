import Diffusion
import Foundation
import MLXCore
import Prior

/// One step of the latent diffusion prior on a model folder (B = 1, fixed random latents, noise,
/// t = 500 and text embeddings), the figures SPEC §6 compares against a PyTorch step:
///
/// - `lsd`: the guided UNet call (batch 2) and g_LSD;
/// - `lsd+fm`: plus feature matching through the decoder truncated after the deepest FM layer;
/// - `lsd+fm-full`: the same features read from a full decode (what truncation saves);
/// - `fm:LAYERS`: feature matching alone (no UNet) for a comma-separated layer list, the cost of
///   each layer choice.
///
/// Every variant includes the KL term except `lsd`; KL costs microseconds.
public struct PriorBenchmark {
    public static let standardVariants = ["lsd", "lsd+fm", "lsd+fm-full", "fm:mid_block", "fm:up_blocks.0", "fm:up_blocks.1",
                                          "fm:mid_block,up_blocks.0,up_blocks.1"]

    public let pipeline: StableDiffusion
    public var repeats = 2
    public var latentSize = 64
    public var guidanceScale: Float = 100
    public var variants = standardVariants

    public init(pipeline: StableDiffusion) {
        self.pipeline = pipeline
    }

    public func run(report: (TimedRow) -> Void) throws {
        let keys = try Random.split(try Random.key(0), count: 4)
        let c = pipeline.unet.configuration
        let latents = try Random.normal([1, latentSize, latentSize, c.inChannels], key: keys[0])
        let noise = try Random.normal(latents.shape, key: keys[1])
        let conditioning = TextConditioning(conditional: try Random.normal([1, 77, c.crossAttentionDimensions], key: keys[2]),
                                            unconditional: try Random.normal([1, 77, c.crossAttentionDimensions], key: keys[3]))
        try eval([latents, noise, conditioning.conditional, conditioning.unconditional])
        for variant in variants {
            let body: () throws -> Void
            if variant.hasPrefix("fm:") {
                let prior = try makePrior(lambdaFM: 1, lambdaKL: 0, layers: variant.dropFirst(3).split(separator: ",").map(String.init))
                let target = try latents * 0.9  // any fixed target
                body = {
                    let result = try prior.featureMatching(latents, target: target)
                    try eval([result.loss, result.gradient])
                }
            } else {
                let fm = variant != "lsd"
                let full = variant == "lsd+fm-full"
                guard ["lsd", "lsd+fm", "lsd+fm-full"].contains(variant) else {
                    throw MLXError("unknown variant '\(variant)' (use lsd, lsd+fm, lsd+fm-full or fm:LAYER[,LAYER…])")
                }
                // The full-decoder variant runs LSD + KL in `evaluate` and FM through the whole decoder.
                let prior = try makePrior(lambdaFM: fm && !full ? 1 : 0, lambdaKL: fm ? 1 : 0, layers: nil)
                let fullPrior = full ? try makePrior(lambdaFM: 1, lambdaKL: 0, layers: nil) : nil
                body = {
                    let evaluation = try prior.evaluate(latents: latents, conditioning: conditioning, noise: noise, timesteps: [500])
                    var outputs = [evaluation.lsdGradient] + [evaluation.fmGradient, evaluation.klGradient].compactMap { $0 }
                    if let fullPrior {
                        let (loss, gradient, image) = try fullPrior.featureMatching(latents, target: latents - evaluation.lsdGradient,
                                                                                     throughFullDecoder: true)
                        outputs += [loss, gradient, image!]
                    }
                    try eval(outputs)
                }
            }
            report(try TimedRow.measure(variant, repeats: repeats, body))
        }
    }

    private func makePrior(lambdaFM: Float, lambdaKL: Float, layers: [String]?) throws -> LatentDiffusionPrior {
        var configuration = PriorConfiguration()
        configuration.guidanceScale = guidanceScale
        configuration.lambdaFM = lambdaFM
        configuration.lambdaKL = lambdaKL
        if let layers { configuration.featureMatchingLayers = layers }
        return try LatentDiffusionPrior(unet: pipeline.unet, vae: pipeline.vae, schedule: pipeline.schedule, configuration: configuration)
    }
}
