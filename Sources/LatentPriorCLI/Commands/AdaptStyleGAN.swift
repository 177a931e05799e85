import ArgumentParser
import Diffusion
import Foundation
import Prior
import StyleGANAdaptation

extension AdaptationConfiguration.Layers: ExpressibleByArgument {}

/// The library's defaults, shown as the options' defaults where they do not depend on the model.
private let defaults = AdaptationConfiguration(prompt: "", model: "", generator: "")

struct AdaptStyleGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapt-stylegan",
        abstract: "Fine-tune a StyleGAN2 generator towards a text domain with the prior (StyleGAN-NADA's setting, StyleGANFusion's loss).",
        discussion: """
        Writes to --output: before/sample-NNN.png and after/sample-NNN.png for the same fixed z (truncation --sample-truncation), \
        before.png, after.png, comparison.png (before | after pairs), generator.safetensors (the adapted generator, rosinality's \
        keys: loadable with --generator and `forward stylegan`), losses.csv, config.json, snapshots/step-N.png, \
        checkpoint.safetensors (--resume continues). --generator takes a rosinality-format generator (default: the shipped toy one).
        """)

    @Option(help: "The generator to adapt (default: the shipped toy generator, Models/toy-gan/generator.safetensors).")
    var generator: String?

    @Option(help: "Optimisation steps (default: 300 for Stable Diffusion, 150 for a small model).")
    var iterations: Int?

    @Option(help: "Trainable layers: all (conv1 and every conv), auto or auto:K (NADA's adaptive choice of K), or W+ indices 0,2,3,…")
    var layers: AdaptationConfiguration.Layers = .all

    @Option(help: "Samples per step (default: 2 for Stable Diffusion as NADA, 4 for a small model).")
    var batch: Int?

    @Option(name: .customLong("lr"), help: "Adam learning rate, β = (0, 0.99) (default: 0.002 for Stable Diffusion as NADA and StyleGANFusion, \(AdaptationConfiguration.smallModelDefaults.learningRate) for a small model).")
    var learningRate: Float?

    @Option(help: "Weight of the structure term keeping each sample's layout like the frozen generator's (default: 0 for Stable Diffusion as StyleGANFusion, \(AdaptationConfiguration.smallModelDefaults.lambdaStructure) for a small model).")
    var lambdaStructure: Float?

    @Option(help: "Before/after samples.")
    var samples = defaults.samples

    @Option(help: "Truncation ψ of the before/after samples.")
    var sampleTruncation = defaults.sampleTruncation

    @Option(help: "Random seed (training codes, noise, sample codes).")
    var seed: UInt64 = 0

    @Option(help: "Snapshot and checkpoint every N steps.")
    var saveEvery = defaults.saveEvery

    @Option(help: "How the prior's latent gradient reaches the pictures: encoder or decoder (default: encoder for Stable Diffusion, decoder for a small model).")
    var priorGradient: PriorGradientPath?

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var prior: PriorOptions

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        var configuration = AdaptationConfiguration(prompt: "", model: "", generator: generator ?? DefaultModel.toyGenerator)
        runOptions.apply(to: &configuration, prior: prior, command: "adapt-stylegan")
        let pipeline = try runOptions.pipeline(for: configuration)
        configuration = configuration.scaled(toModelImageSize: pipeline.defaultImageSize)
        if let iterations { configuration.iterations = iterations }
        if let batch { configuration.batch = batch }
        if let priorGradient { configuration.priorGradient = priorGradient }
        configuration.layers = layers
        if let learningRate { configuration.learningRate = learningRate }
        if let lambdaStructure { configuration.lambdaStructure = lambdaStructure }
        configuration.samples = samples
        configuration.sampleTruncation = sampleTruncation
        configuration.seed = seed
        configuration.saveEvery = saveEvery
        _ = try configuration.validated()
        let folder = try runOptions.runFolder()
        let adapter = try GeneratorAdapter(configuration: configuration, pipeline: pipeline, run: folder, resume: runOptions.resume)
        print("adapting \(configuration.generator) (\(adapter.trainable.architecture)) to \"\(configuration.prompt)\"")
        try runWithProgress(label: "adapt", completed: adapter.completedSteps, total: configuration.iterations) { try adapter.adapt(report: $0) }
        print("comparison: \(folder.file("comparison.png")); adapted generator: \(folder.file("generator.safetensors"))")
    }
}
