import ArgumentParser
import Diffusion
import Foundation
import LatentOptimization
import MLXCore
import Prior

extension OptimizationConfiguration.Parameterization: ExpressibleByArgument {}

struct Optimize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Optimise a latent (or an RGB image) with the prior until it matches the prompt.",
        discussion: "Writes config.json, losses.csv, snapshots/step-N.png, final.png and checkpoint.safetensors to --output; --resume continues from the checkpoint.")

    @Option(help: "A diffusers model folder (default: the shipped toy model).")
    var model: String?

    @Option(help: "What the picture should show.")
    var prompt: String

    @Option(help: "The unconditional prompt for guidance.")
    var negativePrompt = ""

    @Option(help: "Run folder.")
    var output: String

    @Option(help: "latent (θ = v) or rgb (θ = an image through the VAE encoder).")
    var parameterization: OptimizationConfiguration.Parameterization = .latent

    @Option(help: "Optimisation steps.")
    var iterations = 400

    @Option(name: .customLong("lr"), help: "Adam learning rate.")
    var learningRate: Float = 0.05

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Snapshot and checkpoint every N steps.")
    var saveEvery = 50

    @Flag(help: "Continue from the run folder's checkpoint.")
    var resume = false

    @OptionGroup var prior: PriorOptions

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        var configuration = OptimizationConfiguration(prompt: prompt, model: DefaultModel.resolve(model))
        configuration.negativePrompt = negativePrompt
        configuration.parameterization = parameterization
        configuration.iterations = iterations
        configuration.learningRate = learningRate
        configuration.seed = seed
        configuration.saveEvery = saveEvery
        configuration.prior = prior.configuration(defaultGuidance: DefaultModel.recommendedGuidance(
            command: "optimize", model: configuration.model, otherwise: PriorConfiguration().guidanceScale))
        let run = try RunFolder(path: output)
        let pipeline = try StableDiffusion.load(try ModelFolder(path: configuration.model))
        let optimizer = try LatentOptimizer(configuration: configuration, pipeline: pipeline, run: run, resume: resume)
        let start = optimizer.completedSteps
        if start > 0 { print("resuming at step \(start) of \(iterations)") }
        let progress = ProgressBar(total: iterations, label: "optimize")
        try optimizer.optimize { step in
            progress.update(step: step.step, values: ["lsd": step.lsd, "fm": step.fm, "kl": step.kl])
        }
        print("final image: \(run.file("final.png"))")
    }
}
