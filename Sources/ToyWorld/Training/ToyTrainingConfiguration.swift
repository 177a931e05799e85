/// Settings of `latent-prior train-toy`. Written beside the checkpoints; a resumed run must match.
public struct ToyTrainingConfiguration: Codable, Equatable, Sendable {
    // The shipped model's recipe: ≈ 38 min on 2 idle CPU cores (≈ 2.1 VAE steps/s, ≈ 3.0 diffusion steps/s, ≈ 2.9 decoder
    // steps/s); Models/toy-world/README.md has the measured run.
    public var vaeSteps = 500
    public var diffusionSteps = 5000
    /// Decoder refinement steps (encoder frozen) after the diffusion stage.
    public var decoderSteps = 1000
    public var vaeBatchSize = 8
    public var batchSize = 16
    public var vaeLearningRate: Float = 1e-3
    public var diffusionLearningRate: Float = 5e-4
    public var decoderLearningRate: Float = 5e-4
    /// Extra weight of object pixels in the decoder stage's MSE (the background is ~80% of a picture).
    public var decoderObjectWeight: Float = 4
    /// Weight of the VAE's KL term (per latent element, against the per-pixel reconstruction MSE);
    /// small, as in Stable Diffusion's autoencoder, so latents stay informative but bounded.
    public var vaeKLWeight: Float = 1e-4
    /// Fraction of captions replaced by "" so classifier-free guidance has an unconditional model.
    public var captionDropout: Float = 0.1
    public var seed: UInt64 = 0
    public var checkpointEvery = 250

    public init() {}

    /// Missing keys take their defaults, so checkpoints written before a setting existed still load.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ToyTrainingConfiguration()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        vaeSteps = try value(.vaeSteps, defaults.vaeSteps)
        diffusionSteps = try value(.diffusionSteps, defaults.diffusionSteps)
        decoderSteps = try value(.decoderSteps, 0)  // runs from before the stage existed had none
        vaeBatchSize = try value(.vaeBatchSize, defaults.vaeBatchSize)
        batchSize = try value(.batchSize, defaults.batchSize)
        vaeLearningRate = try value(.vaeLearningRate, defaults.vaeLearningRate)
        diffusionLearningRate = try value(.diffusionLearningRate, defaults.diffusionLearningRate)
        decoderLearningRate = try value(.decoderLearningRate, defaults.decoderLearningRate)
        decoderObjectWeight = try value(.decoderObjectWeight, defaults.decoderObjectWeight)
        vaeKLWeight = try value(.vaeKLWeight, defaults.vaeKLWeight)
        captionDropout = try value(.captionDropout, defaults.captionDropout)
        seed = try value(.seed, defaults.seed)
        checkpointEvery = try value(.checkpointEvery, defaults.checkpointEvery)
    }

    public func validated() throws -> ToyTrainingConfiguration {
        for (name, value) in [("--vae-steps", vaeSteps), ("--steps", diffusionSteps), ("--batch-size", batchSize), ("--vae-batch-size", vaeBatchSize),
                              ("--checkpoint-every", checkpointEvery)] where value <= 0 {
            throw ToyTrainingError.invalidSetting("\(name) must be positive, got \(value)")
        }
        guard decoderSteps >= 0 else { throw ToyTrainingError.invalidSetting("--decoder-steps must not be negative, got \(decoderSteps)") }
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
