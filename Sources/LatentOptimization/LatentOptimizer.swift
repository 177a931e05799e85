import Diffusion
import Foundation
import ImageIO
import MLXCore
import NN
import Prior

/// The optimised tensor θ, as a module so Adam (and its checkpointed state) can update it.
final class OptimizedTensor: Module {
    let theta: Parameter
    init(_ value: MLXArray) { theta = Parameter(value) }
}

/// Per-step numbers reported to the progress display and losses.csv.
public struct OptimizationStep {
    public let step: Int
    public let lsd: Float
    public let fm: Float
    public let kl: Float
    public let timestep: Int
    /// ‖g_LSD‖, ‖∂L_FM/∂v‖, ‖∂L_KL/∂v‖.
    public let gradientNorms: [Float]
}

/// Optimises a latent (or an RGB image through the VAE encoder) so that the prior's loss falls:
/// θ ← Adam(θ, ∂/∂θ of λ_LSD L_LSD + λ_FM L_FM + λ_KL L_KL at v = g(θ)).
public final class LatentOptimizer {
    public let configuration: OptimizationConfiguration
    let pipeline: StableDiffusion
    let prior: LatentDiffusionPrior
    let run: RunFolder
    let tensor: OptimizedTensor
    let adam: Adam
    let conditioning: TextConditioning
    public private(set) var completedSteps = 0
    static let lossLogHeader = "step,t,lsd,fm,kl,grad_norm_lsd,grad_norm_fm,grad_norm_kl"

    public init(configuration: OptimizationConfiguration, pipeline: StableDiffusion, run: RunFolder, resume: Bool) throws {
        guard !configuration.prompt.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RunError.invalidSetting("the prompt is empty")
        }
        guard configuration.iterations > 0 else { throw RunError.invalidSetting("--iterations must be positive, got \(configuration.iterations)") }
        guard configuration.learningRate > 0, configuration.learningRate.isFinite else {
            throw RunError.invalidSetting("--lr must be a positive number, got \(configuration.learningRate)")
        }
        guard configuration.saveEvery > 0 else { throw RunError.invalidSetting("--save-every must be positive, got \(configuration.saveEvery)") }
        self.configuration = configuration
        self.pipeline = pipeline
        self.run = run
        prior = try LatentDiffusionPrior(unet: pipeline.unet, vae: pipeline.vae, schedule: pipeline.schedule, configuration: configuration.prior)
        let embeddings = try pipeline.prompts.encode([configuration.prompt, configuration.negativePrompt])
        conditioning = TextConditioning(conditional: try embeddings.sliced(axis: 0, 0..<1),
                                        unconditional: try embeddings.sliced(axis: 0, 1..<2))
        adam = Adam(learningRate: configuration.learningRate)
        tensor = OptimizedTensor(try LatentOptimizer.initialTheta(configuration, pipeline: pipeline))
        if resume && run.hasCheckpoint {
            try restore()
        } else {
            try run.writeJSON(configuration, to: "config.json")
            try? FileManager.default.removeItem(atPath: run.file("losses.csv"))
            try run.appendLine(LatentOptimizer.lossLogHeader, to: "losses.csv")
        }
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

    /// Runs the remaining iterations; `report` sees every step. Checkpoints every `saveEvery`
    /// steps and at the end; a non-finite loss stops the run before it touches the checkpoint.
    public func optimize(report: (OptimizationStep) -> Void) throws {
        var lastCheckpoint: Int? = run.hasCheckpoint ? completedSteps : nil
        while completedSteps < configuration.iterations {
            let step = completedSteps + 1
            let theta = tensor.theta.value
            let key = try Random.key(configuration.seed &+ 0x9E37_79B9 &* UInt64(step))
            let progress = Float(step - 1) / Float(max(configuration.iterations - 1, 1))
            let (v, pullback) = try latentsWithPullback(theta)
            let evaluation = try prior.evaluate(latents: v, conditioning: conditioning, key: key, progress: progress)
            let cotangent = try evaluation.totalGradient(prior.configuration)
            let gradient = try pullback(cotangent)
            let values = try [evaluation.lsdLoss, evaluation.fmLoss ?? MLXArray(Float(0)), evaluation.klLoss ?? MLXArray(Float(0)),
                              square(gradient).sum()] + evaluation.gradientNorms()
            try eval(values)
            let numbers = try values.map { try $0.item(Float.self) }
            for (name, value) in zip(["the LSD loss", "the feature-matching loss", "the KL loss", "the gradient"], numbers) where !value.isFinite {
                throw RunError.nonFinite(step: step, term: name, lastCheckpointStep: lastCheckpoint)
            }
            try adam.update(tensor, gradients: ["theta": gradient])
            completedSteps = step
            let record = OptimizationStep(step: step, lsd: numbers[0], fm: numbers[1], kl: numbers[2], timestep: evaluation.timesteps[0],
                                          gradientNorms: Array(numbers[4...6]))
            let norms = record.gradientNorms.map { "\($0)" }.joined(separator: ",")
            try run.appendLine("\(step),\(record.timestep),\(record.lsd),\(record.fm),\(record.kl),\(norms)", to: "losses.csv")
            report(record)
            if step % configuration.saveEvery == 0 || step == configuration.iterations {
                try saveSnapshot(name: "snapshots/step-\(String(format: "%06d", step)).png")
                try checkpoint()
                lastCheckpoint = step
            }
        }
        try saveSnapshot(name: "final.png")
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
        try PNG.write(try RGBImage(image.index(0).asType(.float32)), to: run.file(name))
    }

    private func checkpoint() throws {
        try RunCheckpoint(step: completedSteps, configuration: configuration,
                          groups: ["adam": adam.state(), "tensor": ["theta": tensor.theta.value]]).save(to: run.checkpointPath)
    }

    private func restore() throws {
        let path = run.checkpointPath
        let saved = try RunCheckpoint<OptimizationConfiguration>.load(from: path, command: "optimize")
        guard configuration.isResumable(from: saved.configuration) else {
            throw RunError.incompatibleCheckpoint(path: path, reason: "it was made with another configuration (see config.json there)")
        }
        guard let theta = saved.groups["tensor"]?["theta"], theta.shape == tensor.theta.value.shape else {
            throw RunError.incompatibleCheckpoint(path: path, reason: "its tensor 'theta' is missing or has another shape")
        }
        tensor.theta.value = theta
        try adam.restore(saved.groups["adam"] ?? [:])
        completedSteps = saved.step
        try run.writeJSON(configuration, to: "config.json")
        try run.truncateLog("losses.csv", after: saved.step, header: LatentOptimizer.lossLogHeader)
    }
}
