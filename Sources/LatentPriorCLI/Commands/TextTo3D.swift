import ArgumentParser
import Diffusion
import Foundation
import LatentOptimization
import TextTo3D

extension TextTo3DConfiguration.Backbone: ExpressibleByArgument {}

/// The library's defaults, shown as the options' defaults.
private let defaults = TextTo3DConfiguration(prompt: "", model: "")

struct TextTo3DCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-to-3d",
        abstract: "Optimise a 3D latent radiance field with the prior until every view matches the prompt (Latent-NeRF; SJC's voxel grid as an option).",
        discussion: """
        Writes to --output: config.json, losses.csv, checkpoint.safetensors (every --save-every iterations; --resume continues), \
        views/ (decoded renders around the object), views.png, turntable.gif (and turntable.mp4 when ffmpeg is installed), \
        mesh.obj and mesh.ply (marching tetrahedra on the density, vertex colours).
        """)

    @Option(help: "What the object should be.")
    var prompt: String

    @Option(help: "Run folder.")
    var output: String

    @Option(help: "A diffusers model folder (default: the shipped toy model).")
    var model: String?

    @Option(help: "The unconditional prompt for guidance.")
    var negativePrompt = ""

    @Option(help: "Field backbone: hashgrid (Instant-NGP encoding + MLP) or voxel (dense grid, SJC).")
    var backbone: TextTo3DConfiguration.Backbone = .hashgrid

    @Option(help: "Optimisation iterations (one rendered view each).")
    var iterations = defaults.iterations

    @Option(name: .customLong("lr"), help: "Adam learning rate of the MLP (grids get 10×).")
    var learningRate = defaults.learningRate

    @Option(help: "Random seed (field initialisation, cameras, noise).")
    var seed: UInt64 = 0

    @Option(help: "Samples per ray.")
    var samplesPerRay = defaults.samplesPerRay

    @Option(help: "Weight of the opacity entropy regulariser.")
    var lambdaEntropy = defaults.lambdaOpacityEntropy

    @Option(help: "Weight of the mean-opacity (sparsity) regulariser.")
    var lambdaSparsity = defaults.lambdaSparsity

    @Option(help: "Background learning rate as a multiple of --lr (0 keeps the white background fixed).")
    var backgroundLr = defaults.backgroundLearningRateMultiplier

    @Flag(help: "Use the prompt as is for every view (no \", front view\" suffixes).")
    var noViewPrompts = false

    @Option(help: "Checkpoint every N iterations.")
    var saveEvery = defaults.saveEvery

    @Option(help: "Mesh grid resolution per axis.")
    var meshResolution = defaults.meshResolution

    @Option(help: "Density iso-level of the mesh.")
    var meshThreshold = defaults.meshDensityThreshold

    @Flag(help: "Continue from the run folder's checkpoint.")
    var resume = false

    @OptionGroup var prior: PriorOptions

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        var configuration = TextTo3DConfiguration(prompt: prompt, model: DefaultModel.resolve(model))
        configuration.negativePrompt = negativePrompt
        configuration.backbone = backbone
        configuration.iterations = iterations
        configuration.learningRate = learningRate
        configuration.seed = seed
        configuration.samplesPerRay = samplesPerRay
        configuration.lambdaOpacityEntropy = lambdaEntropy
        configuration.lambdaSparsity = lambdaSparsity
        configuration.viewDependentPrompts = !noViewPrompts
        configuration.backgroundLearningRateMultiplier = backgroundLr
        configuration.learnBackground = backgroundLr > 0
        configuration.saveEvery = saveEvery
        configuration.meshResolution = meshResolution
        configuration.meshDensityThreshold = meshThreshold
        configuration.prior = prior.configuration(defaultGuidance: DefaultModel.recommendedGuidance(
            command: "text-to-3d", model: configuration.model, otherwise: 100), defaults: configuration.prior)
        _ = try configuration.validated()
        let run = try RunFolder(path: output)
        let pipeline = try StableDiffusion.load(try ModelFolder(path: configuration.model))
        let trainer = try TextTo3DTrainer(configuration: configuration, pipeline: pipeline, run: run, resume: resume)
        if trainer.completedSteps > 0 { print("resuming at iteration \(trainer.completedSteps) of \(iterations)") }
        let start = Date()
        let progress = ProgressBar(total: iterations, label: "text-to-3d")
        try trainer.train { step in
            progress.update(step: step.step, values: ["lsd": step.lsd, "fm": step.fm, "kl": step.kl, "opacity": step.sparsity])
        }
        let seconds = Date().timeIntervalSince(start)
        print("writing views, turntable and mesh…")
        let outputs = try trainer.writeOutputs()
        print(String(format: "optimised in %.1f min; views: %@", seconds / 60, outputs.viewGrid))
        print("turntable: \(outputs.turntableMP4 ?? outputs.turntableGIF)")
        if let mesh = outputs.mesh {
            print("mesh: \(mesh.obj) (\(outputs.meshTriangles) triangles)")
        } else {
            print("mesh: none — no density above the threshold \(configuration.meshDensityThreshold)")
        }
    }
}
