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
/// regularisers. Each iteration renders its views, evaluates the prior on each, and pulls
/// λ_LSD g_LSD + λ_FM ∂L_FM/∂v + λ_KL ∂L_KL/∂v back through the renderer into the field. With
/// `refineIterations`, an RGB stage follows (`RGBRefinement`): pictures through a colour head,
/// judged through the VAE encoder.
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
    /// The RGB stage, from its first step (or its checkpoint) on.
    var refinement: RGBRefinement?
    /// view_losses.csv: every view's camera and prior losses (losses.csv has their means).
    let viewLog: LossLog

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
        adam.learningRateMultipliers = configuration.learningRateMultipliers(scene: "", background: "background")
        _ = try configuration.refinementSettings.validated(pictureSize: pipeline.defaultImageSize)
        run = try OptimizationRun(configuration: configuration, folder: folder, command: "text-to-3d",
                                  logColumns: TextTo3DStep.logColumns, resume: resume, parallel: parallel)
        viewLog = LossLog(folder: folder, name: "view_losses.csv", columns: ViewLosses.logColumns)
        if let saved = run.resumedCheckpoint {
            try RefinementResume.check(configuration, against: saved.configuration, step: saved.step, path: folder.checkpointPath)
        }
        if parallel.writesFiles {
            if run.completedSteps > 0 { try viewLog.truncate(after: run.completedSteps) } else { try viewLog.reset() }
        }
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
        let size = pipeline.defaultImageSize
        let white = try ones([1, size, size, 3], dtype: pipeline.vae.parameterDType)
        let latent = try (pipeline.vae.encode(white).mean.asType(.float32) * pipeline.vae.scalingFactor).mean(axes: [0, 1, 2])
        try latent.eval()
        return latent
    }

    /// The latent picture's size: the UNet's sample size (16 for the toy model, 64 for SD 1.5).
    public var latentSize: Int { pipeline.unet.configuration.sampleSize }

    public var field: LatentField { scene.field }

    /// The RGB stage's colour head, once the stage has begun.
    public var colourHead: ColourHead? { refinement?.module.colourHead }

    /// Runs the remaining iterations, checkpointing every `saveEvery` and at the end. A non-finite
    /// loss or gradient stops the run before the field changes, naming the term.
    public func train(report: (TextTo3DStep) -> Void) throws {
        try run.execute(self, report: report)
    }

    /// One view's share of an iteration: its prior losses and regularisers, and its gradients.
    struct ViewResult {
        let index: Int
        let timestep: Int
        /// LSD, FM, KL, opacity entropy, sparsity.
        let values: [MLXArray]
        let gradients: [String: MLXArray]
    }

    public func step(_ context: StepContext) throws -> TextTo3DStep {
        let refining = configuration.isRefinementStep(context.step)
        if refining, refinement == nil { refinement = try beginRefinement() }
        let views = configuration.viewsPerIteration
        let mine = try run.parallel.share(of: views).map { index in
            try refining ? renderPicture(view: index, context) : renderLatent(view: index, context)
        }
        // Sums over this process's views, then over all processes; means over all views. Every
        // view's numbers travel in a table with zeros in the rows of other processes' views.
        var gradients = mine[0].gradients
        for result in mine.dropFirst() {
            for (key, gradient) in result.gradients { gradients[key] = try gradients[key]! + gradient }
        }
        let table = try ViewLosses.packed(mine.map { ($0.index, $0.timestep, $0.values) }, views: views)
        let summed = try run.parallel.sum(gradients.merging(["__views": table]) { a, _ in a })
        let scale = 1 / Float(views)
        gradients = try summed.filter { $0.key != "__views" }.mapValues { views == 1 ? $0 : try $0 * scale }
        let zero = try MLXArray(Float(0))
        let gradientEnergy = try gradients.values.map { try square($0).sum() }.reduce(zero) { try $0 + $1 }
        let allViews = summed["__views"]!
        try eval([allViews, gradientEnergy])
        let perView = try ViewLosses.unpacked(allViews, views: views, step: context.step, cameras: cameras)
        let means = ViewLosses.means(perView)
        let names = ["the LSD loss", "the feature-matching loss", "the KL loss", "the opacity entropy", "the sparsity term", "the field's gradient"]
        try context.requireFinite(Array(zip(names, means + [try gradientEnergy.item(Float.self)])))
        if let refinement, refining {
            try refinement.adam.update(refinement.module, gradients: gradients)
        } else {
            try adam.update(scene, gradients: gradients)
        }
        if run.parallel.writesFiles { for row in perView { try viewLog.append(row.logFields) } }
        // losses.csv shows the first view's camera and t, and the means over the step's views.
        return TextTo3DStep(step: context.step, timestep: perView[0].timestep, view: perView[0].camera.viewDirection, lsd: means[0],
                            fm: means[1], kl: means[2], opacityEntropy: means[3], sparsity: means[4], stage: refining ? .rgb : .latent)
    }

    /// The prompt conditioning of a camera: its view prompt, or Perp-Neg's blend and negatives.
    func conditioning(for camera: OrbitCamera) throws -> TextConditioning {
        guard let perpNeg = configuration.perpNeg else { return prompts.conditioning(for: camera) }
        return try prompts.conditioning(for: camera, perpNeg: perpNeg)
    }

    /// The fraction of the current stage done before `step` (the prior's annealed t range follows it).
    func stageProgress(_ context: StepContext) -> Float {
        guard configuration.isRefinementStep(context.step) else { return context.progress }
        let length = max((configuration.refineIterations ?? 1) - 1, 1)
        return Float(context.step - configuration.iterations - 1) / Float(length)
    }

    /// A latent-stage view: the rendered latent picture itself is what the prior judges, and the
    /// surrogate ⟨sg(g), v(θ)⟩ pulls its cotangent back through the renderer.
    private func renderLatent(view index: Int, _ context: StepContext) throws -> ViewResult {
        let camera = cameras.camera(step: context.step, view: index)
        let samples = try renderer.samples(camera: camera, width: latentSize, height: latentSize, bound: field.bound,
                                           jitter: cameras.jitter(step: context.step, view: index))
        let scene = self.scene, renderer = self.renderer, size = latentSize, priorConfiguration = prior.configuration
        return try viewGradients(of: scene, view: index, camera: camera, context) {
            let rendered = try renderer.render(scene.field, samples: samples, width: size, height: size, background: scene.background.value)
            return (rendered.latents, rendered.opacity, { evaluation in
                try (stopGradient(evaluation.totalGradient(priorConfiguration)) * rendered.latents).sum()
            })
        }
    }

    /// An RGB-stage view: a picture through the colour head, upsampled to the model's picture size,
    /// VAE-encoded; the prior's cotangent comes back through the encoder (or decoder, by setting).
    private func renderPicture(view index: Int, _ context: StepContext) throws -> ViewResult {
        guard let refinement else { throw FieldError.invalidSetting("the RGB stage has not begun") }
        let size = refinement.renderSize
        let camera = cameras.camera(step: context.step, view: index)
        let samples = try renderer.samples(camera: camera, width: size, height: size, bound: field.bound,
                                           jitter: cameras.jitter(step: context.step, view: index))
        let renderer = self.renderer, picturePrior = refinement.picturePrior
        return try viewGradients(of: refinement.module, view: index, camera: camera, context) {
            let rendered = try refinement.picture(renderer, samples: samples)
            let latents = try picturePrior.encode(rendered.picture)
            return (latents, rendered.rendered.opacity, { evaluation in
                try picturePrior.surrogate(evaluation, latents: latents, pictures: rendered.picture)
            })
        }
    }

    /// What a view's forward pass gives `viewGradients`: the latents the prior judges (θ-dependent),
    /// the opacity, and the surrogate whose gradient carries the prior's cotangent back to θ.
    private typealias ViewForward = (latents: MLXArray, opacity: MLXArray, surrogate: (PriorEvaluation) throws -> MLXArray)

    /// ∂/∂θ of the view's surrogate + opacity regularisers. The prior is evaluated inside the
    /// gradient's trace on the stopped latents, so one forward pass of the field serves both (its own
    /// FM and KL gradients are of stopped inputs and do not reach θ; before session 9 the view was
    /// rendered twice).
    private func viewGradients(of module: Module, view index: Int, camera: OrbitCamera, _ context: StepContext,
                               forward: @escaping () throws -> ViewForward) throws -> ViewResult {
        let prior = self.prior, c = configuration
        let conditioning = try conditioning(for: camera), key = try context.key(view: index), progress = stageProgress(context)
        var evaluated: (evaluation: PriorEvaluation, opacity: MLXArray)?
        let (_, gradients) = try module.valueAndGradients {
            let view = try forward()
            let evaluation = try prior.evaluate(latents: stopGradient(view.latents), conditioning: conditioning, key: key, progress: progress)
            evaluated = (evaluation, try stopGradient(view.opacity))
            return try view.surrogate(evaluation) + OpacityRegularizers.total(view.opacity, c)
        }
        guard let evaluated else { throw FieldError.invalidSetting("the view's step did not evaluate the prior") }
        return try result(index: index, evaluation: evaluated.evaluation, opacity: evaluated.opacity, gradients: gradients)
    }

    private func result(index: Int, evaluation: PriorEvaluation, opacity: MLXArray, gradients: [String: MLXArray]) throws -> ViewResult {
        let zero = try MLXArray(Float(0))
        let values = try [evaluation.lsdLoss, evaluation.fmLoss ?? zero, evaluation.klLoss ?? zero,
                          OpacityRegularizers.entropy(opacity), OpacityRegularizers.sparsity(opacity)]
        return ViewResult(index: index, timestep: evaluation.timesteps[0], values: try values.map { try $0.asType(.float32) }, gradients: gradients)
    }

    /// The RGB stage's start: a colour head fitted to the latent stage's decoded views, and their
    /// background's colour (so the pictures start as the latent stage showed them).
    private func beginRefinement() throws -> RGBRefinement {
        let views = try viewer.circle(configuration.views)
        let fitted = try ColourHead(LatentColourMap(fitting: views), background: LatentColourMap.backgroundColour(of: views))
        return try RGBRefinement(scene: scene, head: fitted, configuration: configuration, prior: prior, pictureSize: pipeline.defaultImageSize)
    }

    // MARK: checkpoints

    public func checkpointGroups() throws -> [String: [String: MLXArray]] {
        let groups = ["adam": try adam.state(), "scene": try scene.weightsInFileLayout()]
        return try groups.merging(refinement?.checkpointGroups() ?? [:]) { a, _ in a }
    }

    public func restore(_ groups: [String: [String: MLXArray]], from path: String) throws {
        try scene.load(weights: groups["scene"] ?? [:], source: path)
        try adam.restore(groups["adam"] ?? [:])
        if groups["colour_head"] != nil {
            let state = try RGBRefinement(scene: scene, head: ColourHead(channels: field.featureChannels), configuration: configuration,
                                          prior: prior, pictureSize: pipeline.defaultImageSize)
            try state.restore(groups, from: path)
            refinement = state
        }
    }
}
