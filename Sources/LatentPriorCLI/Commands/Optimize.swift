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

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var prior: PriorOptions

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        var configuration = OptimizationConfiguration(prompt: "", model: "")
        runOptions.apply(to: &configuration, prior: prior, command: "optimize", defaultGuidance: PriorConfiguration().guidanceScale)
        configuration.parameterization = parameterization
        configuration.iterations = iterations
        configuration.learningRate = learningRate
        configuration.seed = seed
        configuration.saveEvery = saveEvery
        _ = try configuration.validated()
        let folder = try runOptions.runFolder()
        let optimizer = try LatentOptimizer(configuration: configuration, pipeline: runOptions.pipeline(for: configuration), run: folder, resume: runOptions.resume)
        try runWithProgress(label: "optimize", completed: optimizer.completedSteps, total: iterations) { try optimizer.optimize(report: $0) }
        print("final image: \(folder.file("final.png"))")
    }
}
