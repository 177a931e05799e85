import Diffusion
import Foundation
import MLXCore
import NN
import Prior
import Runs
import StyleGAN

/// StyleGAN2 domain adaptation with the latent diffusion prior (paper §4; StyleGAN-NADA's setting,
/// StyleGANFusion's loss): each step draws z, maps it with the frozen mapping network, renders it
/// with the trainable generator, brings the picture to the model's size, encodes it with the frozen
/// VAE, and the prior (LSD clamped to [−1, 1], + FM + KL) judges it; its cotangent flows back
/// through the encoder (or decoder, see PriorGradientPath) into the trainable layers. Adam with
/// β = (0, 0.99). The frozen copy renders the same z for the before/after pictures.
public final class GeneratorAdapter: OptimizedSystem {
    public let configuration: AdaptationConfiguration
    public let pipeline: StableDiffusion
    public let frozen: StyleGAN2Generator
    public let trainable: StyleGAN2Generator
    let prior: LatentDiffusionPrior
    let picturePrior: PicturePrior
    /// Keeps each sample's layout: the self-similarity of VAE-encoder features of the adapted sample
    /// against the frozen generator's sample for the same code and noise (weight 0: off).
    let structure: StructureLoss
    let conditioning: TextConditioning
    let adam: Adam
    let run: OptimizationRun<AdaptationConfiguration>

    public var completedSteps: Int { run.completedSteps }

    public init(configuration: AdaptationConfiguration, pipeline: StableDiffusion, run folder: RunFolder, resume: Bool) throws {
        self.configuration = try configuration.validated()
        self.pipeline = pipeline
        frozen = try GeneratorFile.load(configuration.generator)
        trainable = try GeneratorFile.load(configuration.generator)
        if frozen.latentAverage == nil { frozen.latentAverage = try frozen.meanLatent() }
        trainable.latentAverage = frozen.latentAverage
        frozen.setFrozen(true)
        if case .indices(let indices) = configuration.layers {
            let valid = TrainableLayers.allIndices(of: trainable)
            for index in indices where !valid.contains(index) {
                throw RunError.invalidSetting("--layers: W+ index \(index) names no trainable layer of this generator (use \(valid.map(String.init).joined(separator: ",")))")
            }
        }
        prior = try LatentDiffusionPrior(pipeline: pipeline, configuration: configuration.prior)
        picturePrior = PicturePrior(prior: prior, path: configuration.priorGradient)
        structure = StructureLoss(weight: configuration.lambdaStructure)
        conditioning = try TextConditioning(prompt: configuration.prompt, negativePrompt: configuration.negativePrompt, encoder: pipeline.prompts)
        adam = Adam(learningRate: configuration.learningRate, betas: (0, 0.99))
        run = try OptimizationRun(configuration: self.configuration, folder: folder, command: "adapt-stylegan",
                                  logColumns: AdaptationStep.logColumns, resume: resume)
        try run.restore(self)
    }

    /// Writes the before-pictures (once per run folder), runs the remaining steps, checkpointing every
    /// `saveEvery` and at the end, then writes the after-pictures, the comparison and generator.safetensors.
    public func adapt(report: (AdaptationStep) -> Void) throws {
        if !FileManager.default.fileExists(atPath: run.folder.file("before.png")) { try writeBefore(to: run.folder) }
        try run.execute(self, report: report)
    }

    /// The model's picture size: generator outputs are resized to it before encoding.
    var modelImageSize: Int { pipeline.defaultImageSize }

    /// Generator output [B, s, s, 3] in about [−1, 1] → pictures [B, S, S, 3] in [0, 1] at the model's size.
    /// Clamped as the samples written to disk are: the VAE and the prior know only pictures in range,
    /// and unclamped the prior pushed colours past it without bound (the toy study in docs/STYLEGAN.md:
    /// every sample a saturated green, background included); a clamped pixel passes no gradient.
    func pictures(_ images: MLXArray) throws -> MLXArray {
        let size = modelImageSize
        let unit = try clip((images + 1) * 0.5, min: 0, max: 1)
        guard images.dim(1) != size || images.dim(2) != size else { return unit }
        return try unit.resizedBilinear(height: size, width: size, antialias: images.dim(1) > size)
    }

    /// The prior's surrogate for the generator's pictures, per latent element (as `edit`'s), plus the
    /// weighted structure term against `frozenImages` when its weight is not 0, with the prior's diagnostics.
    func priorLoss(_ images: MLXArray, frozenImages: MLXArray?, key: MLXArray, progress: Float)
        throws -> (loss: MLXArray, structure: MLXArray?, evaluation: PriorEvaluation) {
        let pictures = try self.pictures(images)
        var structureTerm: MLXArray?
        let v: MLXArray
        if let frozenImages, structure.weight > 0 {
            let encoded = try structure.encode(pictures, vae: prior.vae)
            v = encoded.latents
            let target = try stopGradient(structure.features(of: self.pictures(frozenImages), vae: prior.vae).asType(.float32))
            structureTerm = try structure.loss(inputFeatures: target, compositeFeatures: encoded.features)
        } else {
            v = try picturePrior.encode(pictures)
        }
        let evaluation = try prior.evaluate(latents: stopGradient(v), conditioning: conditioning, key: key, progress: progress)
        let elements = Float(v.dim(1) * v.dim(2) * v.dim(3))
        var loss = try picturePrior.surrogate(evaluation, latents: v, pictures: pictures, clampLSD: configuration.clampLSD) / elements
        if let structureTerm { loss = try loss + structureTerm * structure.weight }
        return (loss, structureTerm, evaluation)
    }

    public func step(_ context: StepContext) throws -> AdaptationStep {
        let c = configuration
        let keys = try Random.split(context.key(), count: 5)
        let z = try Random.normal([c.batch, trainable.architecture.styleDimension], key: keys[0])
        let codes = try stopGradient(frozen.latents([frozen.mapping(z)]))
        let layers = try chooseLayers(key: keys[3], progress: context.progress)
        TrainableLayers.train(layers, of: trainable)
        let trainable = self.trainable
        let frozenImages = structure.weight > 0 ? try stopGradient(frozen.synthesize(codes, noise: .random(keys[1]))) : nil
        let (values, gradients) = try trainable.valueAndGradients(withAuxiliary: {
            let images = try trainable.synthesize(codes, noise: .random(keys[1]))
            let (loss, structureTerm, evaluation) = try self.priorLoss(images, frozenImages: frozenImages, key: keys[2], progress: context.progress)
            let zero = try MLXArray(Float(0))
            return [loss, evaluation.lsdLoss, evaluation.fmLoss ?? zero, evaluation.klLoss ?? zero, structureTerm ?? zero,
                    try MLXArray(evaluation.timesteps.map(Float.init))]
        })
        let zero = try MLXArray(Float(0))
        let energy = try gradients.values.map { try square($0).sum() }.reduce(zero) { try $0 + $1 }
        try eval(Array(values) + [energy])
        let numbers = try values.prefix(5).map { try $0.item(Float.self) }
        try context.requireFinite(Array(zip(["the total loss", "the LSD loss", "the feature-matching loss", "the KL loss", "the structure term"], numbers))
                                  + [("the generator's gradient", try energy.item(Float.self))])
        try adam.update(trainable, gradients: gradients)
        return AdaptationStep(step: context.step, timestep: Int(try values[5].toArray(Float.self)[0]), lsd: numbers[1], fm: numbers[2],
                              kl: numbers[3], structure: numbers[4], layers: layers)
    }

    /// The W+ indices to train this step: all, the given ones, or NADA's adaptive choice — the
    /// gradient of the prior's loss with respect to W+ codes of 8 fresh samples, the `count` indices
    /// whose codes it would move most (|Δw| of one SGD step is proportional to |∇w|).
    func chooseLayers(key: MLXArray, progress: Float) throws -> [Int] {
        switch configuration.layers {
        case .all:
            return TrainableLayers.allIndices(of: trainable)
        case .indices(let list):
            return list
        case .auto(let count):
            let keys = try Random.split(key, count: 3)
            let z = try Random.normal([8, trainable.architecture.styleDimension], key: keys[0])
            let codes = try stopGradient(frozen.latents([frozen.mapping(z)]))
            let slope = try grad({ [try self.priorLoss(self.trainable.synthesize($0[0], noise: .random(keys[1])), frozenImages: nil, key: keys[2], progress: progress).loss] })([codes])[0]
            let movement = try abs(slope).mean(axes: [0, 2]).toArray(Float.self)
            // Only indices that name a trainable layer compete (NADA's index 1 is to_rgb1, frozen here).
            let candidates = Set(TrainableLayers.allIndices(of: trainable))
            let ranked = movement.enumerated().filter { candidates.contains($0.offset) }.sorted { $0.element > $1.element }.map(\.offset)
            return Array(ranked.prefix(count)).sorted()
        }
    }

    public func checkpointGroups() throws -> [String: [String: MLXArray]] {
        ["generator": try trainable.weightsInRosinalityLayout(), "adam": try adam.state()]
    }

    public func restore(_ groups: [String: [String: MLXArray]], from path: String) throws {
        try trainable.load(rosinalityWeights: groups["generator"] ?? [:], source: path)
        try adam.restore(groups["adam"] ?? [:])
    }

    public func willCheckpoint(step: Int, in folder: RunFolder) throws {
        try writeSamples(of: trainable, grid: folder.snapshotPath(step: step))
    }

    public func didFinish(in folder: RunFolder) throws {
        try writeOutputs(to: folder)
    }
}
