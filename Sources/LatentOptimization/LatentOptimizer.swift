import Diffusion
import Foundation
import ImageIO
import MLXCore
import NN
import Prior
import Runs

/// The optimised tensor θ, as a module so Adam (and its checkpointed state) can update it.
final class OptimizedTensor: Module {
    let theta: Parameter
    init(_ value: MLXArray) { theta = Parameter(value) }
}

/// Optimises a latent (or an RGB image through the VAE encoder) so that the prior's loss falls:
/// θ ← Adam(θ, ∂/∂θ of λ_LSD L_LSD + λ_FM L_FM + λ_KL L_KL at v = g(θ)).
public final class LatentOptimizer: OptimizedSystem {
    public let configuration: OptimizationConfiguration
    let pipeline: StableDiffusion
    let prior: LatentDiffusionPrior
    let run: OptimizationRun<OptimizationConfiguration>
    let tensor: OptimizedTensor
    let adam: Adam
    let conditioning: TextConditioning

    public var completedSteps: Int { run.completedSteps }

    public init(configuration: OptimizationConfiguration, pipeline: StableDiffusion, run folder: RunFolder, resume: Bool) throws {
        self.configuration = try configuration.validated()
        self.pipeline = pipeline
        prior = try LatentDiffusionPrior(pipeline: pipeline, configuration: configuration.prior)
        conditioning = try TextConditioning(prompt: configuration.prompt, negativePrompt: configuration.negativePrompt, encoder: pipeline.prompts)
        adam = Adam(learningRate: configuration.learningRate)
        tensor = OptimizedTensor(try LatentOptimizer.initialTheta(configuration, pipeline: pipeline))
        run = try OptimizationRun(configuration: configuration, folder: folder, command: "optimize",
                                  logColumns: OptimizationStep.logColumns, resume: resume)
        try run.restore(self)
    }

    private static func initialTheta(_ c: OptimizationConfiguration, pipeline: StableDiffusion) throws -> MLXArray {
        let height = c.latentHeight ?? pipeline.unet.configuration.sampleSize
        let width = c.latentWidth ?? pipeline.unet.configuration.sampleSize
        guard height > 0, width > 0 else { throw RunError.invalidSetting("latent size must be positive, got \(height)×\(width)") }
        let key = try Random.key(c.seed)
        switch c.parameterization {
        case .latent:
            return try Random.normal([1, height, width, pipeline.unet.configuration.inChannels], key: key)
        case .rgb:
            let factor = pipeline.vae.configuration.downsamplingFactor
            // tanh⁻¹ space around mid-grey: small noise breaks symmetry.
            return try Random.normal([1, height * factor, width * factor, 3], std: 0.1, key: key)
        }
    }

    /// v = g(θ): the scaled latent the prior sees.
    func latents(_ theta: MLXArray) throws -> MLXArray {
        switch configuration.parameterization {
        case .latent:
            return theta
        case .rgb:
            let image = try tanh(theta).asType(pipeline.vae.parameterDType)
            return try (pipeline.vae.encode(image).mean * pipeline.vae.scalingFactor).asType(.float32)
        }
    }

    /// Runs the remaining iterations; `report` sees every step. Checkpoints (with a snapshot) every
    /// `saveEvery` steps and at the end; a non-finite loss stops the run before it touches the checkpoint.
    public func optimize(report: (OptimizationStep) -> Void) throws {
        try run.execute(self, report: report)
    }

    public func step(_ context: StepContext) throws -> OptimizationStep {
        let theta = tensor.theta.value
        let (v, pullback) = try latentsWithPullback(theta)
        let evaluation = try prior.evaluate(latents: v, conditioning: conditioning, key: context.key(), progress: context.progress)
        let cotangent = try evaluation.totalGradient(prior.configuration)
        let gradient = try pullback(cotangent)
        let values = try [evaluation.lsdLoss, evaluation.fmLoss ?? MLXArray(Float(0)), evaluation.klLoss ?? MLXArray(Float(0)),
                          square(gradient).sum()] + evaluation.gradientNorms()
        try eval(values)
        let numbers = try values.map { try $0.item(Float.self) }
        try context.requireFinite(Array(zip(["the LSD loss", "the feature-matching loss", "the KL loss", "the gradient"], numbers)))
        try adam.update(tensor, gradients: ["theta": gradient])
        return OptimizationStep(step: context.step, lsd: numbers[0], fm: numbers[1], kl: numbers[2], timestep: evaluation.timesteps[0],
                                gradientNorms: Array(numbers[4...6]))
    }

    /// v and the map from ∂L/∂v to ∂L/∂θ.
    private func latentsWithPullback(_ theta: MLXArray) throws -> (MLXArray, (MLXArray) throws -> MLXArray) {
        if configuration.parameterization == .latent {
            return (theta, { $0 })
        }
        let v = try latents(theta)
        return (v, { cotangent in
            try vjp({ [try self.latents($0[0])] }, primals: [theta], cotangents: [cotangent]).vjps[0]
        })
    }

    /// Decodes the current latent to a PNG in the run folder.
    public func saveSnapshot(name: String) throws {
        let v = try latents(tensor.theta.value)
        let image = try pipeline.vae.decode((v / pipeline.vae.scalingFactor).asType(pipeline.vae.parameterDType))
        try PNG.write(try RGBImage(image.index(0).asType(.float32)), to: run.folder.file(name))
    }

    public func willCheckpoint(step: Int, in folder: RunFolder) throws {
        try saveSnapshot(name: "snapshots/step-\(String(format: "%06d", step)).png")
    }

    public func didFinish(in folder: RunFolder) throws {
        try saveSnapshot(name: "final.png")
    }

    public func checkpointGroups() throws -> [String: [String: MLXArray]] {
        ["adam": try adam.state(), "tensor": ["theta": tensor.theta.value]]
    }

    public func restore(_ groups: [String: [String: MLXArray]], from path: String) throws {
        guard let theta = groups["tensor"]?["theta"], theta.shape == tensor.theta.value.shape else {
            throw RunError.incompatibleCheckpoint(path: path, reason: "its tensor 'theta' is missing or has another shape")
        }
        tensor.theta.value = theta
        try adam.restore(groups["adam"] ?? [:])
    }
}
