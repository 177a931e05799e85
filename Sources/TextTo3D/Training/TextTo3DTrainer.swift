import Diffusion
import Foundation
import MLXCore
import NN
import Prior
import Runs

/// What a text-to-3D run optimises: the field and the latent background behind it. The background
/// is learnt (from the latent of a white picture) because a small VAE's latents are not local:
/// the toy model's background latents carry the object's colour, and a fixed one biases it.
public final class Scene: Module {
    public let field: LatentField
    public let background: Parameter

    init(field: LatentField, background: MLXArray) {
        self.field = field
        self.background = Parameter(background)
    }
}

/// Latent-NeRF-style text-to-3D: a density + latent field rendered at the model's latent
/// resolution from random cameras, optimised with the prior (LSD + FM + KL) and opacity
/// regularisers. Each iteration renders one view, evaluates the prior on it, and pulls
/// λ_LSD g_LSD + λ_FM ∂L_FM/∂v + λ_KL ∂L_KL/∂v back through the renderer into the field.
public final class TextTo3DTrainer: OptimizedSystem {
    public let configuration: TextTo3DConfiguration
    public let pipeline: StableDiffusion
    public let scene: Scene
    public let renderer: VolumeRenderer
    let prior: LatentDiffusionPrior
    let prompts: ViewPrompts
    let cameras: CameraSampler
    let run: OptimizationRun<TextTo3DConfiguration>
    let adam: Adam

    public var completedSteps: Int { run.completedSteps }

    /// `parallel`: the processes sharing each iteration's views (see `DataParallel`).
    public init(configuration: TextTo3DConfiguration, pipeline: StableDiffusion, run folder: RunFolder, resume: Bool,
                parallel: DataParallel = .single) throws {
        self.configuration = try configuration.validated()
        guard parallel.size <= self.configuration.viewsPerIteration else {
            throw FieldError.invalidSetting("\(parallel.size) processes need at least as many views per step; --views-per-step is \(self.configuration.viewsPerIteration)")
        }
        self.pipeline = pipeline
        prior = try LatentDiffusionPrior(pipeline: pipeline, configuration: configuration.prior)
        prompts = try ViewPrompts(prompt: configuration.prompt, negativePrompt: configuration.negativePrompt,
                                  viewDependent: configuration.viewDependentPrompts, encoder: pipeline.prompts)
        cameras = configuration.cameras
        scene = Scene(field: try Self.makeField(configuration, channels: pipeline.unet.configuration.inChannels),
                      background: try Self.whiteBackground(pipeline))
        if !configuration.learnBackground { scene.setFrozen(true, prefixes: ["background"]) }
        renderer = VolumeRenderer(samplesPerRay: configuration.samplesPerRay)
        adam = Adam(learningRate: configuration.learningRate)
        adam.learningRateMultipliers = ["field.encoding.": configuration.gridLearningRateMultiplier,
                                        "field.grid.": configuration.gridLearningRateMultiplier,
                                        "background": configuration.backgroundLearningRateMultiplier]
        run = try OptimizationRun(configuration: configuration, folder: folder, command: "text-to-3d",
                                  logColumns: TextTo3DStep.logColumns, resume: resume, parallel: parallel)
        try run.restore(self)
    }

    static func makeField(_ c: TextTo3DConfiguration, channels: Int) throws -> LatentField {
        try InitializationKeys.seed(c.seed)
        let key = try Random.key(c.seed &+ 0xF1E1D)
        switch c.backbone {
        case .hashgrid: return try HashGridField(settings: c.hashGrid, featureChannels: channels, bound: c.bound, key: key)
        case .voxel: return try VoxelGridField(settings: c.voxelGrid, featureChannels: channels, bound: c.bound, key: key)
        }
    }

    /// The latent of a white picture (mean over its pixels): the toy world's background, and a
    /// neutral one for Stable Diffusion.
    static func whiteBackground(_ pipeline: StableDiffusion) throws -> MLXArray {
        let size = pipeline.unet.configuration.sampleSize * pipeline.vae.configuration.downsamplingFactor
        let white = try ones([1, size, size, 3], dtype: pipeline.vae.parameterDType)
        let latent = try (pipeline.vae.encode(white).mean.asType(.float32) * pipeline.vae.scalingFactor).mean(axes: [0, 1, 2])
        try latent.eval()
        return latent
    }

    /// The latent picture's size: the UNet's sample size (16 for the toy model, 64 for SD 1.5).
    public var latentSize: Int { pipeline.unet.configuration.sampleSize }

    public var field: LatentField { scene.field }

    /// Runs the remaining iterations, checkpointing every `saveEvery` and at the end. A non-finite
    /// loss or gradient stops the run before the field changes, naming the term.
    public func train(report: (TextTo3DStep) -> Void) throws {
        try run.execute(self, report: report)
    }

    /// One view's share of an iteration: its prior losses and regularisers, and its gradients.
    private struct ViewResult {
        let camera: OrbitCamera
        let timestep: Int
        let values: [MLXArray]
        let gradients: [String: MLXArray]
    }

    public func step(_ context: StepContext) throws -> TextTo3DStep {
        let views = configuration.viewsPerIteration
        let mine = try run.parallel.share(of: views).map { try render(view: $0, context) }
        // Sums over this process's views, then over all processes; means over all views.
        var gradients = mine[0].gradients
        var values = mine[0].values
        for result in mine.dropFirst() {
            for (key, gradient) in result.gradients { gradients[key] = try gradients[key]! + gradient }
            values = try zip(values, result.values).map { try $0 + $1 }
        }
        let packed = try concatenated(values.map { try $0.reshaped([1]) })
        let summed = try run.parallel.sum(gradients.merging(["__values": packed]) { a, _ in a })
        let scale = 1 / Float(views)
        gradients = try summed.filter { $0.key != "__values" }.mapValues { views == 1 ? $0 : try $0 * scale }
        let totals = try summed["__values"]! * scale
        let zero = try MLXArray(Float(0))
        let gradientEnergy = try gradients.values.map { try square($0).sum() }.reduce(zero) { try $0 + $1 }
        try eval([totals, gradientEnergy])
        let numbers = try totals.toArray(Float.self) + [gradientEnergy.item(Float.self)]
        let names = ["the LSD loss", "the feature-matching loss", "the KL loss", "the opacity entropy", "the sparsity term", "the field's gradient"]
        try context.requireFinite(Array(zip(names, numbers)))
        try adam.update(scene, gradients: gradients)
        // The record shows the first view's camera and t (rank 0 holds view 0).
        return TextTo3DStep(step: context.step, timestep: mine[0].timestep, view: mine[0].camera.viewDirection, lsd: numbers[0],
                            fm: numbers[1], kl: numbers[2], opacityEntropy: numbers[3], sparsity: numbers[4])
    }

    private func render(view index: Int, _ context: StepContext) throws -> ViewResult {
        let step = context.step
        let camera = cameras.camera(step: step, view: index)
        let samples = try renderer.samples(camera: camera, width: latentSize, height: latentSize, bound: field.bound,
                                           jitter: cameras.jitter(step: step, view: index))
        let view = try renderer.render(field, samples: samples, width: latentSize, height: latentSize, background: scene.background.value)
        let evaluation = try prior.evaluate(latents: view.latents, conditioning: prompts.conditioning(for: camera),
                                            key: context.key(view: index), progress: context.progress)
        let cotangent = try stopGradient(evaluation.totalGradient(prior.configuration))

        // ∂/∂θ of ⟨sg(g), v(θ)⟩ + regularisers: its gradient is the prior's cotangent pulled back.
        let scene = self.scene, renderer = self.renderer, size = latentSize, c = configuration
        let (_, gradients) = try scene.valueAndGradients {
            let rendered = try renderer.render(scene.field, samples: samples, width: size, height: size, background: scene.background.value)
            let surrogate = try (cotangent * rendered.latents).sum()
            return try surrogate + OpacityRegularizers.entropy(rendered.opacity) * c.lambdaOpacityEntropy
                + OpacityRegularizers.sparsity(rendered.opacity) * c.lambdaSparsity
        }
        let zero = try MLXArray(Float(0))
        let values = try [evaluation.lsdLoss, evaluation.fmLoss ?? zero, evaluation.klLoss ?? zero,
                          OpacityRegularizers.entropy(view.opacity), OpacityRegularizers.sparsity(view.opacity)]
        return ViewResult(camera: camera, timestep: evaluation.timesteps[0], values: try values.map { try $0.asType(.float32) }, gradients: gradients)
    }

    // MARK: checkpoints

    public func checkpointGroups() throws -> [String: [String: MLXArray]] {
        ["adam": try adam.state(), "scene": try scene.weightsInFileLayout()]
    }

    public func restore(_ groups: [String: [String: MLXArray]], from path: String) throws {
        try scene.load(weights: groups["scene"] ?? [:], source: path)
        try adam.restore(groups["adam"] ?? [:])
    }
}
