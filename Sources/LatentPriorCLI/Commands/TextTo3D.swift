import ArgumentParser
import Diffusion
import Foundation
import Prior
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

    @Option(help: "Triangles of the exported mesh after simplification (quadric edge collapses keeping it closed; default 20000).")
    var meshTriangles: Int?

    @Option(help: "Cameras per iteration, their gradients averaged; shared out over the processes of `latent-prior launch` (at least one each).")
    var viewsPerStep: Int = 1

    @Option(help: "RGB refinement iterations after the latent ones (Latent-NeRF's second stage: a colour head, pictures judged through the VAE encoder).")
    var refineIterations: Int?

    @Flag(help: "With --resume: no more latent iterations; go on with RGB refinement from the checkpoint (needs --refine-iterations).")
    var refineOnly = false

    @Option(help: "Adam learning rate of the RGB stage (grids get the same multiple as in the latent stage).")
    var refineLr = RGBRefinementSettings().learningRate

    @Option(help: "Rays per side of the RGB stage's pictures (default: half the model's picture size, at most 128), upsampled to the picture size.")
    var refineResolution: Int?

    @Option(help: "How the prior's gradient reaches the RGB stage's pictures: encoder (through the VAE encoder) or decoder.")
    var refineGradientPath: PriorGradientPath = .encoder

    @Flag(help: "Perp-Neg guidance for view prompts against the Janus problem (stable-dreamfusion's weights).")
    var perpNeg = false

    @Option(help: "Perp-Neg's negative weight.")
    var perpNegWeight = PerpNegSettings().negativeWeight

    @Option(help: "Perp-Neg's decay factors for the front and side negatives, e.g. 2,10.")
    var perpNegDecay: String = "\(Int(PerpNegSettings().frontDecay)),\(Int(PerpNegSettings().sideDecay))"

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var prior: PriorOptions

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        var configuration = TextTo3DConfiguration(prompt: "", model: "")
        runOptions.apply(to: &configuration, prior: prior, command: "text-to-3d")
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
        configuration.meshTriangles = meshTriangles
        configuration.viewsPerStep = viewsPerStep == 1 ? nil : viewsPerStep
        configuration.refineIterations = refineIterations
        var refinement = RGBRefinementSettings()
        refinement.learningRate = refineLr
        refinement.resolution = refineResolution
        refinement.gradientPath = refineGradientPath
        configuration.refinement = refinement == RGBRefinementSettings() ? nil : refinement
        if perpNeg {
            var settings = PerpNegSettings()
            settings.negativeWeight = perpNegWeight
            let decays = perpNegDecay.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard decays.count == 2 else { throw InputError("--perp-neg-decay takes two numbers, e.g. 2,10; got \"\(perpNegDecay)\"") }
            (settings.frontDecay, settings.sideDecay) = (decays[0], decays[1])
            configuration.perpNeg = settings
        }
        if refineOnly {
            guard runOptions.resume else { throw InputError("--refine-only goes on from a checkpoint: add --resume") }
            guard (refineIterations ?? 0) > 0 else { throw InputError("--refine-only needs --refine-iterations N") }
            configuration.iterations = try TextTo3DConfiguration.latentIterations(ofCheckpointIn: runOptions.runFolder())
        }
        _ = try configuration.validated()
        let parallel = try LaunchedProcesses.dataParallel()
        let folder = try runOptions.runFolder()
        let trainer = try TextTo3DTrainer(configuration: configuration, pipeline: runOptions.pipeline(for: configuration), run: folder,
                                          resume: runOptions.resume, parallel: parallel)
        let start = Date()
        try runWithProgress(label: "text-to-3d", completed: trainer.completedSteps, total: configuration.totalSteps) { try trainer.train(report: $0) }
        // The other ranks hold the same field; rank 0 writes the outputs.
        guard parallel.writesFiles else { return }
        let seconds = Date().timeIntervalSince(start)
        print("writing views, turntable and mesh…")
        let outputs = try trainer.writeOutputs()
        print(String(format: "optimised in %.1f min; views: %@", seconds / 60, outputs.viewGrid))
        // The last quarter of the last stage: how each direction fares once the object has formed.
        let stageStart = configuration.totalSteps > configuration.iterations ? configuration.iterations + 1 : 1
        let fromStep = configuration.totalSteps - (configuration.totalSteps - stageStart + 1) / 4
        if let summary = try? ViewLossSummary(csv: folder.file("view_losses.csv"), fromStep: fromStep) { print(summary.line) }
        print("turntable: \(outputs.turntableMP4 ?? outputs.turntableGIF)")
        if let mesh = outputs.mesh {
            print("mesh: \(mesh.glb), \(mesh.obj), \(mesh.ply) (\(outputs.meshTriangles) triangles, simplified from \(outputs.extractedTriangles); "
                  + (outputs.meshIsClosed ? "closed)" : "NOT closed: holes or flipped faces)"))
        } else if let suggestion = outputs.suggestedThreshold {
            print(String(format: "mesh: none — no surface at density threshold %g (the largest density is %.3g); try --mesh-threshold %.3g",
                         configuration.meshDensityThreshold, suggestion.largest, suggestion.suggestion))
        } else {
            print("mesh: none — the field is empty (no density anywhere in the box)")
        }
    }
}
