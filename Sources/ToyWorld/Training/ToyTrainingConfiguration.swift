/// Settings of `latent-prior train-toy`. Written beside the checkpoints; a resumed run must match.
public struct ToyTrainingConfiguration: Codable, Equatable, Sendable {
    // The shipped model's recipe: ~37 min on 2 CPU cores (≈ 1.1 VAE steps/s, ≈ 1.4 diffusion steps/s).
    public var vaeSteps = 500
    public var diffusionSteps = 2500
    public var vaeBatchSize = 8
    public var batchSize = 16
    public var vaeLearningRate: Float = 1e-3
    public var diffusionLearningRate: Float = 5e-4
    /// Weight of the VAE's KL term (per latent element, against the per-pixel reconstruction MSE);
    /// small, as in Stable Diffusion's autoencoder, so latents stay informative but bounded.
    public var vaeKLWeight: Float = 1e-4
    /// Fraction of captions replaced by "" so classifier-free guidance has an unconditional model.
    public var captionDropout: Float = 0.1
    public var seed: UInt64 = 0
    public var checkpointEvery = 250

    public init() {}

    public func validated() throws -> ToyTrainingConfiguration {
        for (name, value) in [("--vae-steps", vaeSteps), ("--steps", diffusionSteps), ("--batch-size", batchSize), ("--vae-batch-size", vaeBatchSize),
                              ("--checkpoint-every", checkpointEvery)] where value <= 0 {
            throw ToyTrainingError.invalidSetting("\(name) must be positive, got \(value)")
        }
        return self
    }
}

public enum ToyTrainingError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(String)
    case incompatibleCheckpoint(path: String, reason: String)
    case nonFinite(stage: String, step: Int)

    public var description: String {
        switch self {
        case .invalidSetting(let message): return message
        case let .incompatibleCheckpoint(path, reason): return "cannot resume from '\(path)': \(reason)"
        case let .nonFinite(stage, step): return "\(stage) training diverged at step \(step) (loss is NaN or infinite); the last checkpoint is kept"
        }
    }
}
