import ArgumentParser
import Diffusion
import Foundation
import LayeredEditing
import Prior

extension EditConfiguration.PriorGradientPath: ExpressibleByArgument {}

/// The library's defaults, shown as the options' defaults where they do not depend on the model.
private let defaults = EditConfiguration(prompt: "", model: "", image: "")

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Edit a picture by text: train a network that paints an RGBA layer over it (Text2LIVE with the latent diffusion prior).",
        discussion: """
        Writes to --output, at the input's own size: composite.png (the edited picture), alpha.png, edit.png (the layer, RGBA, \
        reusable over the original), green-screen.png, comparison.png (before | after); and config.json, losses.csv, \
        snapshots/step-N.png (input | composite | alpha | green screen), checkpoint.safetensors (--resume continues). \
        PNG and JPEG inputs of any size; the network works at the model's picture size (short side 512 for SD 1.x, 64 for the toy model).
        """)

    @Option(help: "The picture to edit (PNG or JPEG).")
    var image: String

    @OptionGroup var pictureLimit: PictureLimitOption

    @Option(help: "Optional mask of the picture's size: white where the edit belongs (supervises alpha early on, annealed to 0).")
    var mask: String?

    @Option(help: "Prompt for the layer alone over a green screen (default: \"<prompt> over a green screen\").")
    var screenPrompt: String?

    @Option(help: "Optimisation steps (default: 1000 for Stable Diffusion, 300 for a small model like the toy one).")
    var iterations: Int?

    @Option(help: "Random seed (network initialisation, augmentations, noise).")
    var seed: UInt64 = 0

    @Option(help: "Snapshot and checkpoint every N steps.")
    var saveEvery = defaults.saveEvery

    @Option(help: "Augmented views of the picture per step (default: 1 for Stable Diffusion as Text2LIVE, 4 for a small model).")
    var viewsPerStep: Int?

    @Option(name: .customLong("lr"), help: "MADGRAD learning rate, decayed ×--lr-decay per step (default: 0.0025 for Stable Diffusion as Text2LIVE, 0.02 for a small model).")
    var learningRate: Float?

    @Option(help: "Learning-rate decay per step.")
    var lrDecay = defaults.learningRateDecay

    @Option(help: "Weight of the prior on the composite (its surrogate is a mean over the latent's elements).")
    var lambdaComposite = defaults.lambdaComposite

    @Option(help: "How the prior's latent gradient reaches the pixels: encoder (its transpose, as SPEC) or decoder (the latent step decoded; default for a small model).")
    var priorGradient: EditConfiguration.PriorGradientPath?

    @Option(help: "Weight of the prior on the layer over a green screen (default: 1 for Stable Diffusion, 0 for a small model).")
    var lambdaScreen: Float?

    @Option(help: "Weight of the structure term (self-similarity of VAE-encoder features of input and composite).")
    var lambdaStructure = defaults.lambdaStructure

    @Option(help: "Weight of the alpha sparsity term (default: 6 for Stable Diffusion as Text2LIVE, 30 for a small model).")
    var lambdaSparsity: Float?

    @Option(help: "Weight of the mask term at the first step.")
    var lambdaMask = defaults.bootstrap.weight

    @Option(help: "VAE-encoder layer of the structure term: conv_in, down_blocks.N or mid_block.")
    var structureLayer = defaults.structureLayer

    @Option(help: "Levels of the editing network (default: 7 for Stable Diffusion as Text2LIVE, 4 for a small model).")
    var generatorScales: Int?

    @Option(help: "Channels per level of the editing network (default: 128, or 32 for a small model).")
    var generatorChannels: Int?

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var prior: PriorOptions

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        // Read the picture first: a missing or unreadable input fails before anything is loaded or written.
        let input = try EditInput(path: image, maskPath: mask, maxPixels: pictureLimit.maxPixels)
        var configuration = EditConfiguration(prompt: "", model: "", image: image)
        runOptions.apply(to: &configuration, prior: prior, command: "edit")
        let pipeline = try runOptions.pipeline(for: configuration)
        configuration = configuration.scaled(toModelImageSize: pipeline.defaultImageSize)
        configuration.mask = mask
        configuration.screenPrompt = screenPrompt
        configuration.seed = seed
        configuration.saveEvery = saveEvery
        if let learningRate { configuration.learningRate = learningRate }
        configuration.learningRateDecay = lrDecay
        configuration.lambdaComposite = lambdaComposite
        configuration.lambdaStructure = lambdaStructure
        if let lambdaSparsity { configuration.sparsity.weight = lambdaSparsity }
        configuration.bootstrap.weight = lambdaMask
        configuration.structureLayer = structureLayer
        if let iterations {
            configuration.iterations = iterations
            configuration.bootstrap.steps = iterations
        }
        if let viewsPerStep { configuration.augmentation.viewsPerStep = viewsPerStep }
        if let lambdaScreen { configuration.lambdaScreen = lambdaScreen }
        if let priorGradient { configuration.priorGradient = priorGradient }
        if let generatorScales { configuration.generator.scales = generatorScales }
        if let generatorChannels {
            configuration.generator.downChannels = generatorChannels
            configuration.generator.upChannels = generatorChannels
        }
        _ = try configuration.validated()
        _ = try LayeredEditor.workingSize(for: input, pipeline: pipeline, generator: configuration.generator)
        let folder = try runOptions.runFolder()
        let editor = try LayeredEditor(configuration: configuration, pipeline: pipeline, input: input, run: folder, resume: runOptions.resume)
        print("editing \(image) (\(input.original.width)×\(input.original.height)) at \(editor.workingSize.width)×\(editor.workingSize.height)")
        try runWithProgress(label: "edit", completed: editor.completedSteps, total: configuration.iterations) { try editor.edit(report: $0) }
        print("composite: \(folder.file("composite.png")); layer: \(folder.file("edit.png")), alpha: \(folder.file("alpha.png"))")
    }
}
