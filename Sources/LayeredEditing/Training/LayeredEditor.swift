import Diffusion
import Foundation
import MLXCore
import NN
import Prior
import Runs

/// Text2LIVE's layered editing with the latent diffusion prior (paper §4): an editing network maps
/// views of the input picture to an RGBA layer; the layer composited over the view goes through
/// the frozen VAE encoder to a latent v that the prior (LSD + FM + KL) pulls towards the prompt,
/// while the structure term keeps the composite's layout (self-similarity of VAE-encoder features),
/// α sparsity keeps the layer small and an optional mask supervises α early on. For Stable
/// Diffusion the prior also judges the layer alone over a green screen against `screenPrompt`.
/// One forward pass per step: the prior runs inside the traced loss under stop-gradient, so its
/// cotangent meets v there (∂/∂θ ⟨sg(g), v(θ)⟩ = g pulled back through encoder and network).
public final class LayeredEditor: OptimizedSystem {
    public let configuration: EditConfiguration
    public let pipeline: StableDiffusion
    public let input: EditInput
    public let workingSize: WorkingSize
    public let generator: SkipGenerator
    let dataset: InternalDataset
    let prior: LatentDiffusionPrior
    let conditioning: TextConditioning
    let screenConditioning: TextConditioning?
    let structure: StructureLoss
    let optimizer: MADGRAD
    let run: OptimizationRun<EditConfiguration>

    public var completedSteps: Int { run.completedSteps }

    public init(configuration: EditConfiguration, pipeline: StableDiffusion, input: EditInput, run folder: RunFolder, resume: Bool) throws {
        var c = configuration
        c.imageFingerprint = input.fingerprint
        self.configuration = try c.validated()
        self.pipeline = pipeline
        self.input = input
        workingSize = try Self.workingSize(for: input, pipeline: pipeline, generator: c.generator)
        try InitializationKeys.seed(c.seed)
        generator = try SkipGenerator(configuration: c.generator)
        dataset = try InternalDataset(picture: input.picture, mask: input.mask, size: workingSize, settings: c.augmentation, seed: c.seed)
        prior = try LatentDiffusionPrior(pipeline: pipeline, configuration: c.prior)
        conditioning = try TextConditioning(prompt: c.prompt, negativePrompt: c.negativePrompt, encoder: pipeline.prompts)
        screenConditioning = c.lambdaScreen > 0
            ? try TextConditioning(prompt: c.effectiveScreenPrompt, negativePrompt: c.negativePrompt, encoder: pipeline.prompts) : nil
        structure = StructureLoss(layer: c.structureEncoderLayer!, maximumTokens: c.structureTokens, weight: c.lambdaStructure)
        optimizer = MADGRAD(learningRate: c.learningRate, momentum: 0.9, weightDecay: c.weightDecay)
        run = try OptimizationRun(configuration: self.configuration, folder: folder, command: "edit", logColumns: EditStep.logColumns,
                                  resume: resume)
        try run.restore(self)
    }

    /// The size the network and the prior work at for `input` (short side = the model's picture
    /// size): checked against what the VAE, the UNet and the network need, before anything is written.
    public static func workingSize(for input: EditInput, pipeline: StableDiffusion, generator: SkipGeneratorConfiguration) throws -> WorkingSize {
        let vae = pipeline.vae.configuration, unet = pipeline.unet.configuration
        // Latents must halve cleanly through every UNet down block: sides are multiples of the
        // VAE's factor times 2^(down blocks − 1) (8 × 8 = 64 pixels for SD, 4 × 2 = 8 for the toy model).
        let multiple = vae.downsamplingFactor << max(unet.blockOutChannels.count - 1, 0)
        let size = try input.workingSize(shortSide: unet.sampleSize * vae.downsamplingFactor, multiple: multiple,
                                         downsampling: vae.downsamplingFactor)
        guard generator.accepts(height: size.height, width: size.width) else {
            throw LayeredEditingError.pictureTooSmall(height: size.height, width: size.width, scales: generator.scales,
                                                      minimumSide: generator.minimumSide)
        }
        return size
    }

    /// Runs the remaining steps; checkpoints (with a snapshot) every `saveEvery` steps and at the
    /// end, then writes the outputs at the input's size.
    public func edit(report: (EditStep) -> Void) throws {
        try run.execute(self, report: report)
    }

    /// The scaled latent of pictures in [0, 1] and the structure layer's features, in one encoder pass.
    private func encode(_ pictures: MLXArray) throws -> (latents: MLXArray, features: MLXArray) {
        try structure.encode(pictures, vae: pipeline.vae)
    }

    public func step(_ context: StepContext) throws -> EditStep {
        // Text2LIVE counts dataset steps from 0: the whole picture comes at the first step.
        let batch = try dataset.batch(step: context.step - 1)
        var groups = [(pictures: batch.views, masks: batch.viewMasks)]
        if let full = batch.fullPicture { groups.append((full, batch.fullPictureMask)) }
        let pictures = try concatenated(groups.map(\.pictures), axis: 0)
        let inputFeatures = try stopGradient(structure.features(of: pictures, vae: pipeline.vae).asType(.float32))
        let keys = try Random.split(context.key())
        let maskWeight = configuration.mask == nil ? 0 : configuration.bootstrap.weight(atStep: context.step - 1)
        let c = configuration, generator = self.generator, progress = context.progress
        // The prior's cotangent is per latent element (LSD's w(t)(ε̂ − ε) is O(1) wherever it is), so
        // its surrogate grows with the latent's size; divided by the elements of one view's latent it
        // is a mean, and the other terms' weights (Text2LIVE's, made for a CLIP loss of order 1) mean
        // the same at SD's 64² latents as at the toy model's 16².
        let latentNormaliser = 1 / Float(workingSize.height * workingSize.width * pipeline.unet.configuration.inChannels
            / (pipeline.vae.configuration.downsamplingFactor * pipeline.vae.configuration.downsamplingFactor))
        let zero = try MLXArray(Float(0))

        let (values, gradients) = try generator.valueAndGradients(withAuxiliary: {
            // Each group through the network on its own, so its BatchNorm statistics are its own (Text2LIVE).
            var layers: [EditLayer] = [], maskTerm = zero
            for group in groups {
                let layer = try EditLayer(rgba: generator(group.pictures))
                layers.append(layer)
                if let masks = group.masks, maskWeight > 0 {
                    maskTerm = try maskTerm + c.bootstrap.loss(alpha: layer.alpha, mask: masks)
                }
            }
            let composite = try concatenated(zip(layers, groups).map { try $0.composite(over: $1.pictures) }, axis: 0)
            let (v, features) = try self.encode(composite)
            let evaluation = try self.prior.evaluate(latents: stopGradient(v), conditioning: self.conditioning, key: keys[0], progress: progress)
            var total = try self.priorSurrogate(evaluation, latents: v, pictures: composite) * (c.lambdaComposite * latentNormaliser)
            var screenTerm = zero
            if let screenConditioning = self.screenConditioning {
                let screens = try concatenated(layers.map { try $0.onGreenScreen() }, axis: 0)
                let vScreen = try self.encode(screens).latents
                let screenEvaluation = try self.prior.evaluate(latents: stopGradient(vScreen), conditioning: screenConditioning,
                                                               key: keys[1], progress: progress)
                total = try total + self.priorSurrogate(screenEvaluation, latents: vScreen, pictures: screens) * (c.lambdaScreen * latentNormaliser)
                screenTerm = try screenEvaluation.totalLoss(self.prior.configuration)
            }
            let structureTerm = try self.structure.loss(inputFeatures: inputFeatures, compositeFeatures: features)
            let sparsity = try c.sparsity(layers.map(\.alpha))
            total = try total + structureTerm * c.lambdaStructure + sparsity.loss + maskTerm * maskWeight
            let meanAlpha = try concatenated(layers.map { try $0.alpha.mean().reshaped([1]) }).mean()
            return [total, evaluation.lsdLoss, evaluation.fmLoss ?? zero, evaluation.klLoss ?? zero, screenTerm, structureTerm,
                    sparsity.loss, maskTerm, meanAlpha, try MLXArray(evaluation.timesteps.map(Float.init))]
        })
        let gradientEnergy = try gradients.values.map { try square($0).sum() }.reduce(zero) { try $0 + $1 }
        try eval(Array(values) + [gradientEnergy] + generator.batchNormBuffers())
        let numbers = try values.dropLast().map { try $0.item(Float.self) }
        let names = ["the total loss", "the LSD loss", "the feature-matching loss", "the KL loss", "the green-screen prior",
                     "the structure term", "the sparsity term", "the mask term", "the mean alpha"]
        try context.requireFinite(Array(zip(names, numbers)) + [("the network's gradient", try gradientEnergy.item(Float.self))])
        optimizer.learningRate = configuration.learningRate(atStep: context.step)
        try optimizer.update(generator, gradients: gradients)
        let timestep = Int(try values.last!.toArray(Float.self)[0])
        return EditStep(step: context.step, timestep: timestep, learningRate: optimizer.learningRate, lsd: numbers[1], fm: numbers[2],
                        kl: numbers[3], screen: numbers[4], structure: numbers[5], sparsity: numbers[6], mask: numbers[7], meanAlpha: numbers[8])
    }

    /// A scalar whose gradient carries the prior's cotangent to `pictures` (see PicturePrior).
    private func priorSurrogate(_ evaluation: PriorEvaluation, latents v: MLXArray, pictures: MLXArray) throws -> MLXArray {
        try PicturePrior(prior: prior, path: configuration.priorGradient).surrogate(evaluation, latents: v, pictures: pictures)
    }

    public func checkpointGroups() throws -> [String: [String: MLXArray]] {
        ["generator": try generator.weightsInFileLayout(), "madgrad": try optimizer.state()]
    }

    public func restore(_ groups: [String: [String: MLXArray]], from path: String) throws {
        try generator.load(weights: groups["generator"] ?? [:], source: path)
        try optimizer.restore(groups["madgrad"] ?? [:])
    }

    public func willCheckpoint(step: Int, in folder: RunFolder) throws {
        try writeSnapshot(to: folder.snapshotPath(step: step))
    }

    public func didFinish(in folder: RunFolder) throws {
        try writeOutputs(to: folder)
    }
}
