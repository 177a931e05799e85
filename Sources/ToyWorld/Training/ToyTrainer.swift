import Diffusion
import Foundation
import MLXCore
import NN
import Runs

/// The text encoder and UNet trained together in the diffusion stage (keys "text_encoder.…", "unet.…").
final class TextConditionedDenoiser: Module {
    let textEncoder: CLIPTextModel
    let unet: UNet2DConditionModel

    init(textEncoder: CLIPTextModel, unet: UNet2DConditionModel) {
        self.textEncoder = textEncoder
        self.unet = unet
    }
}

/// How far each stage of a training run has got; saved with every checkpoint.
public struct ToyTrainingProgress: Codable, Equatable, Sendable {
    public var vaeSteps = 0
    public var diffusionSteps = 0
    public var decoderSteps = 0
    /// Set once the latent scale has been measured from the finished VAE's encoder.
    public var scalingMeasured = false

    public init(vaeSteps: Int = 0, diffusionSteps: Int = 0, decoderSteps: Int = 0, scalingMeasured: Bool = false) {
        self.vaeSteps = vaeSteps
        self.diffusionSteps = diffusionSteps
        self.decoderSteps = decoderSteps
        self.scalingMeasured = scalingMeasured
    }
}

/// Trains the toy model in three stages: the VAE (reconstruction MSE + a small KL to N(0, I));
/// the text encoder and UNet together (ε-prediction MSE under Stable Diffusion's noise schedule,
/// with caption dropout for classifier-free guidance); then the VAE decoder alone with the
/// encoder frozen, as Stability's ft-MSE decoders were made: the latents the UNet learnt stay
/// the same while the decoder's colours sharpen (weighted towards object pixels, which are a
/// small part of each white-background image). Checkpoints to `stateFolder` and resumes from it.
public final class ToyTrainer {
    public enum Stage: String, Codable, Sendable { case vae, diffusion, decoder }

    public let configuration: ToyTrainingConfiguration
    public let tokenizer: CLIPTokenizer
    public let vae: AutoencoderKL
    let denoiser: TextConditionedDenoiser
    let schedule: NoiseSchedule
    let data: TrainingBatchSource
    let stateFolder: URL
    let vaeOptimizer: Adam
    let diffusionOptimizer: Adam
    let decoderOptimizer: Adam
    public private(set) var progress = ToyTrainingProgress()
    private let vaeInputs: LookaheadPreparer<ToyTrainingInputs.VAEStep>
    private let diffusionInputs: LookaheadPreparer<ToyTrainingInputs.DiffusionStep>
    private let decoderInputs: LookaheadPreparer<ToyTrainingInputs.DecoderStep>

    public init(configuration: ToyTrainingConfiguration, data: TrainingBatchSource, stateFolder: URL, resume: Bool) throws {
        self.configuration = try configuration.validated()
        self.data = data
        self.stateFolder = stateFolder
        tokenizer = try CLIPTokenizer(vocabulary: ToyVocabulary.vocabulary(), merges: ToyVocabulary.merges())
        try InitializationKeys.seed(configuration.seed)
        vae = try AutoencoderKL(configuration: ToyModelArchitecture.vae())
        denoiser = TextConditionedDenoiser(
            textEncoder: try CLIPTextModel(configuration: ToyModelArchitecture.textEncoder(vocabularySize: tokenizer.vocabularySize)),
            unet: try UNet2DConditionModel(configuration: ToyModelArchitecture.unet()))
        schedule = try NoiseSchedule()
        vaeOptimizer = Adam(learningRate: configuration.vaeLearningRate)
        diffusionOptimizer = Adam(learningRate: configuration.diffusionLearningRate)
        decoderOptimizer = Adam(learningRate: configuration.decoderLearningRate)
        let inputs = ToyTrainingInputs(configuration: self.configuration, data: data, tokenizer: tokenizer, vae: vae, schedule: schedule)
        vaeInputs = LookaheadPreparer(prepare: inputs.vaeStep, evaluate: { try eval($0.arrays) })
        diffusionInputs = LookaheadPreparer(prepare: inputs.diffusionStep, evaluate: { try eval($0.arrays) })
        decoderInputs = LookaheadPreparer(prepare: inputs.decoderStep, evaluate: { try eval($0.arrays) })
        try FileManager.default.createDirectory(at: stateFolder, withIntermediateDirectories: true)
        if RunNotices.prepareStateFolder(stateFolder.path, checkpoint: statePath, resume: resume) { try restore() }
    }

    public var textEncoder: CLIPTextModel { denoiser.textEncoder }
    public var unet: UNet2DConditionModel { denoiser.unet }
    var statePath: String { stateFolder.appendingPathComponent("state.safetensors").path }

    /// Runs every stage to its step count; `report(stage, step, total, loss)` sees every step.
    /// A resumed run with larger step counts continues the stages that have not reached them
    /// (the VAE only while no diffusion step was taken: later, new VAE latents would void the UNet).
    public func train(report: (Stage, Int, Int, Float) -> Void) throws {
        if progress.diffusionSteps == 0 {
            let vaeStepsBefore = progress.vaeSteps
            try runStage(.vae, steps: configuration.vaeSteps, count: \.vaeSteps, name: "VAE", step: vaeStep, report: report)
            // A VAE stage extended on resume changes the latents: the scaling factor measured after
            // the earlier steps no longer fits them (a resumed run must equal the straight one).
            if progress.vaeSteps != vaeStepsBefore { progress.scalingMeasured = false }
        }
        if !progress.scalingMeasured {
            vae.scalingFactor = try measuredScalingFactor()
            progress.scalingMeasured = true
            try saveState()
        }
        try runStage(.diffusion, steps: configuration.diffusionSteps, count: \.diffusionSteps, name: "diffusion",
                     step: diffusionStep, report: report)
        vae.setFrozen(true, prefixes: ["encoder.", "quant_conv."])
        defer { vae.setFrozen(false) }
        try runStage(.decoder, steps: configuration.decoderSteps, count: \.decoderSteps, name: "decoder",
                     step: decoderStep, report: report)
    }

    /// Runs `stage` until its counter reaches `steps`, checkpointing every `checkpointEvery` steps
    /// and at the stage's end; stops on a non-finite loss. `stepFunction(step, next)` trains one
    /// step and may start preparing `next` (nil after the stage's last step).
    private func runStage(_ stage: Stage, steps: Int, count: WritableKeyPath<ToyTrainingProgress, Int>, name: String,
                          step stepFunction: (Int, Int?) throws -> Float, report: (Stage, Int, Int, Float) -> Void) throws {
        guard progress[keyPath: count] < steps else { return }
        // The look-ahead thread evaluates the encoder; MLX evaluates an array only on a thread that
        // owns its stream, so weights still lazy from the main thread (fresh initialisations) are
        // evaluated here first.
        try eval((vae.namedParameters() + denoiser.namedParameters()).map(\.parameter.value))
        StopRequests.listen()
        defer { StopRequests.stopListening() }
        while progress[keyPath: count] < steps {
            progress[keyPath: count] += 1
            let step = progress[keyPath: count]
            let loss = try stepFunction(step, step < steps ? step + 1 : nil)
            guard loss.isFinite else { throw ToyTrainingError.nonFinite(stage: name, step: step) }
            report(stage, step, steps, loss)
            if step % configuration.checkpointEvery == 0 { try saveState() }
            if let signal = StopRequests.pending, step < steps {
                if step % configuration.checkpointEvery != 0 { try saveState() }
                StopRequests.clear()
                throw RunError.stopped(signal: signal, step: step, checkpoint: statePath)
            }
        }
        try saveState()
    }

    /// Linear warm-up over the first 100 steps, then constant.
    private func warmedUp(_ rate: Float, _ step: Int) -> Float { rate * min(1, Float(step) / 100) }

    private func vaeStep(_ step: Int, next: Int?) throws -> Float {
        let input = try vaeInputs.input(for: step, then: next)
        let vae = self.vae
        let klWeight = configuration.vaeKLWeight
        let (loss, gradients) = try vae.valueAndGradients {
            let (mean, logVariance) = try vae.encode(input.images)
            let latents = try mean + exp(logVariance * 0.5) * Random.normal(mean.shape, key: input.noiseKey)
            let reconstruction = try vae.decode(latents)
            let mse = try square(reconstruction - input.images).mean()
            let kl = try ((square(mean) + exp(logVariance) - logVariance) - 1).mean() * 0.5
            return try mse + kl * klWeight
        }
        vaeOptimizer.learningRate = warmedUp(configuration.vaeLearningRate, step)
        try vaeOptimizer.update(vae, gradients: gradients)
        return try loss.item(Float.self)
    }

    /// Decoder refinement: the frozen encoder's posterior sample is decoded and compared with
    /// the image, each pixel's squared error weighted 1 + `decoderObjectWeight` on the object
    /// (any pixel that is not the white background).
    private func decoderStep(_ step: Int, next: Int?) throws -> Float {
        let input = try decoderInputs.input(for: step, then: next)
        let vae = self.vae
        let (loss, gradients) = try vae.valueAndGradients {
            try (square(vae.decode(input.latents) - input.images) * input.pixelWeights).mean()
        }
        decoderOptimizer.learningRate = warmedUp(configuration.decoderLearningRate, step)
        try decoderOptimizer.update(vae, gradients: gradients)
        return try loss.item(Float.self)
    }

    private func diffusionStep(_ step: Int, next: Int?) throws -> Float {
        let input = try diffusionInputs.input(for: step, then: next)
        let denoiser = self.denoiser
        let (loss, gradients) = try denoiser.valueAndGradients {
            let context = try denoiser.textEncoder(input.tokenIDs)
            let prediction = try denoiser.unet(input.noisyLatents, timesteps: input.timesteps, context: context)
            return try square(prediction - input.noise).mean()
        }
        diffusionOptimizer.learningRate = warmedUp(configuration.diffusionLearningRate, step)
        try diffusionOptimizer.update(denoiser, gradients: gradients)
        return try loss.item(Float.self)
    }

    /// 1 / std of the posterior means over a few batches (how SD's 0.18215 was chosen).
    private func measuredScalingFactor() throws -> Float {
        var means: [MLXArray] = []
        for index in 0..<8 {
            let (images, _) = try data.batch(index: 1_000_000 + index, size: configuration.batchSize)
            means.append(try vae.encode(images).mean)
        }
        let std = try concatenated(means).variance().item(Float.self).squareRoot()
        return std > 0 ? 1 / std : 1
    }

    // MARK: checkpoints

    private func saveState() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let config = String(decoding: try encoder.encode(configuration), as: UTF8.self)
        let progressText = String(decoding: try encoder.encode(progress), as: UTF8.self)
        try CheckpointFile(groups: [
            "vae": try vae.weightsInFileLayout(), "denoiser": try denoiser.weightsInFileLayout(),
            "adam_vae": try vaeOptimizer.state(), "adam_diffusion": try diffusionOptimizer.state(),
            "adam_decoder": try decoderOptimizer.state(),
        ], metadata: ["progress": progressText, "config": config, "scaling_factor": "\(vae.scalingFactor)"]).save(to: statePath)
    }

    private func restore() throws {
        let file = try CheckpointFile.load(from: statePath)
        guard let configText = file.metadata["config"],
              let saved = try? JSONDecoder().decode(ToyTrainingConfiguration.self, from: Data(configText.utf8)),
              let savedProgress = Self.progress(in: file.metadata, savedConfiguration: saved),
              let scaling = file.metadata["scaling_factor"].flatMap(Float.init) else {
            throw ToyTrainingError.incompatibleCheckpoint(path: statePath, reason: "not a train-toy checkpoint")
        }
        var comparable = saved
        comparable.vaeSteps = configuration.vaeSteps
        comparable.diffusionSteps = configuration.diffusionSteps
        comparable.decoderSteps = configuration.decoderSteps
        guard comparable == configuration else {
            throw ToyTrainingError.incompatibleCheckpoint(path: statePath, reason: "it was made with other settings (only step counts may change)")
        }
        func part(_ group: String) -> [String: MLXArray] { file.groups[group] ?? [:] }
        try vae.load(weights: part("vae"), source: statePath)
        try denoiser.load(weights: part("denoiser"), source: statePath)
        try vaeOptimizer.restore(part("adam_vae"))
        try diffusionOptimizer.restore(part("adam_diffusion"))
        let decoderState = part("adam_decoder")
        if !decoderState.isEmpty { try decoderOptimizer.restore(decoderState) }
        vae.scalingFactor = scaling
        progress = savedProgress
    }

    /// The progress recorded in a checkpoint; checkpoints written before the decoder stage existed
    /// recorded the current stage ("vae", "diffusion" or "done") and its step instead.
    private static func progress(in metadata: [String: String], savedConfiguration saved: ToyTrainingConfiguration) -> ToyTrainingProgress? {
        if let text = metadata["progress"] { return try? JSONDecoder().decode(ToyTrainingProgress.self, from: Data(text.utf8)) }
        guard let stage = metadata["stage"], let step = metadata["step"].flatMap(Int.init) else { return nil }
        var progress = ToyTrainingProgress()
        switch stage {
        case "vae": progress.vaeSteps = step
        case "diffusion", "done":
            progress.vaeSteps = saved.vaeSteps
            progress.diffusionSteps = step
            progress.scalingMeasured = true
        default: return nil
        }
        return progress
    }
}
