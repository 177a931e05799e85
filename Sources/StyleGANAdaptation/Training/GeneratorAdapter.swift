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
        conditioning = try TextConditioning(prompt: configuration.prompt, negativePrompt: configuration.negativePrompt, encoder: pipeline.prompts)
        adam = Adam(learningRate: configuration.learningRate, betas: (0, 0.99))
        run = try OptimizationRun(configuration: self.configuration, folder: folder, command: "adapt-stylegan",
                                  logColumns: AdaptationStep.logColumns, resume: resume)
        try run.restore(self)
    }

    /// Runs the remaining steps, checkpointing every `saveEvery` and at the end, then writes the
    /// after-pictures, the comparison and generator.safetensors.
    public func adapt(report: (AdaptationStep) -> Void) throws {
        try run.execute(self, report: report)
    }

    /// The model's picture size: generator outputs are resized to it before encoding.
    var modelImageSize: Int { pipeline.defaultImageSize }

    /// Generator output [B, s, s, 3] in about [−1, 1] → pictures [B, S, S, 3] in about [0, 1] at the model's size.
    func pictures(_ images: MLXArray) throws -> MLXArray {
        let size = modelImageSize
        let unit = try (images + 1) * 0.5
        guard images.dim(1) != size || images.dim(2) != size else { return unit }
        return try unit.resizedBilinear(height: size, width: size, antialias: images.dim(1) > size)
    }

    /// The prior's surrogate for the generator's pictures, per latent element (as `edit`'s), with its diagnostics.
    func priorLoss(_ images: MLXArray, key: MLXArray, progress: Float) throws -> (loss: MLXArray, evaluation: PriorEvaluation) {
        let pictures = try self.pictures(images)
        let v = try picturePrior.encode(pictures)
        let evaluation = try prior.evaluate(latents: stopGradient(v), conditioning: conditioning, key: key, progress: progress)
        let elements = Float(v.dim(1) * v.dim(2) * v.dim(3))
        let loss = try picturePrior.surrogate(evaluation, latents: v, pictures: pictures, clampLSD: configuration.clampLSD) / elements
        return (loss, evaluation)
    }

    public func step(_ context: StepContext) throws -> AdaptationStep {
        let c = configuration
        let keys = try Random.split(context.key(), count: 5)
        let z = try Random.normal([c.batch, trainable.architecture.styleDimension], key: keys[0])
        let codes = try stopGradient(frozen.latents([frozen.mapping(z)]))
        let layers = try chooseLayers(key: keys[3], progress: context.progress)
        TrainableLayers.train(layers, of: trainable)
        let trainable = self.trainable
        let (values, gradients) = try trainable.valueAndGradients(withAuxiliary: {
            let images = try trainable.synthesize(codes, noise: .random(keys[1]))
            let (loss, evaluation) = try self.priorLoss(images, key: keys[2], progress: context.progress)
            let zero = try MLXArray(Float(0))
            return [loss, evaluation.lsdLoss, evaluation.fmLoss ?? zero, evaluation.klLoss ?? zero,
                    try MLXArray(evaluation.timesteps.map(Float.init))]
        })
        let zero = try MLXArray(Float(0))
        let energy = try gradients.values.map { try square($0).sum() }.reduce(zero) { try $0 + $1 }
        try eval(Array(values) + [energy])
        let numbers = try values.prefix(4).map { try $0.item(Float.self) }
        try context.requireFinite(Array(zip(["the total loss", "the LSD loss", "the feature-matching loss", "the KL loss"], numbers))
                                  + [("the generator's gradient", try energy.item(Float.self))])
        try adam.update(trainable, gradients: gradients)
        return AdaptationStep(step: context.step, timestep: Int(try values[4].toArray(Float.self)[0]), lsd: numbers[1], fm: numbers[2],
                              kl: numbers[3], layers: layers)
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
            let slope = try grad({ [try self.priorLoss(self.trainable.synthesize($0[0], noise: .random(keys[1])), key: keys[2], progress: progress).loss] })([codes])[0]
            let movement = try abs(slope).mean(axes: [0, 2]).toArray(Float.self)
            let ranked = movement.enumerated().sorted { $0.element > $1.element }.map(\.offset)
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
