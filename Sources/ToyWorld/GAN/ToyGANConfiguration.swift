import StyleGAN

/// Settings of `latent-prior train-toy-gan`: StyleGAN2's recipe (rosinality's train.py —
/// non-saturating logistic loss, lazy R1 on the discriminator every `r1Every` steps, style mixing,
/// an EMA generator; no path-length regulariser) on toy-world cubes of every colour from random
/// cameras, sized to train on 2 CPU cores within the hour. Written beside the checkpoints; a resumed
/// run must match in everything but `steps`.
public struct ToyGANConfiguration: Codable, Equatable, Sendable {
    public var size = 64
    public var styleDimension = 64
    public var mappingLayers = 4
    /// Channels at 4, 8, 16, 32, 64 pixels.
    public var channels = [128, 128, 64, 32, 16]
    /// 2500 steps of 8 pictures: ≈ 0.9 s a step on 2 cores (the 64-pixel layers' element-wise work
    /// dominates; batch 16 doubles it), ≈ 40 minutes. The shipped generator (Models/toy-gan/README.md)
    /// met the bar there (every sample judged a cube, all six colours), as a run at step 1500 did.
    public var steps = 2500
    public var batchSize = 8
    public var learningRate: Float = 0.002
    /// R1 weight γ (rosinality's --r1; StyleGAN2-ADA's heuristic 0.0002·res²/batch gives 0.05 here,
    /// rosinality's default 10 is for 256+ px).
    public var r1: Float = 1
    public var r1Every = 16
    /// Probability of style mixing for a batch (rosinality's --mixing 0.9).
    public var mixing: Float = 0.9
    /// The EMA generator's half-life in images (rosinality: 10k, accum = 0.5^(32 / 10k) at batch 32),
    /// ramped up as StyleGAN2-ADA does: at most `emaRampUp` × the images seen so far, so a short run's
    /// average is not dominated by its first, untrained steps.
    public var emaHalfLifeImages = 10_000
    public var emaRampUp = 0.05
    /// Pictures rendered once and drawn from (with horizontal flips) during training.
    public var datasetSize = 4096
    public var seed: UInt64 = 0
    public var checkpointEvery = 500

    public init() {}

    public func architecture() throws -> StyleGAN2Architecture {
        try StyleGAN2Architecture(size: size, styleDimension: styleDimension, mappingLayers: mappingLayers, channels: channels)
    }

    public func validated() throws -> ToyGANConfiguration {
        _ = try architecture()
        for (name, value) in [("--steps", steps), ("--batch-size", batchSize), ("--r1-every", r1Every), ("--dataset-size", datasetSize),
                              ("--checkpoint-every", checkpointEvery)] where value <= 0 {
            throw ToyTrainingError.invalidSetting("\(name) must be positive, got \(value)")
        }
        guard batchSize % min(batchSize, 4) == 0 else { throw ToyTrainingError.invalidSetting("--batch-size must be a multiple of 4 (minibatch standard deviation)") }
        guard learningRate > 0, r1 >= 0, (0...1).contains(mixing) else {
            throw ToyTrainingError.invalidSetting("the rate must be positive, r1 non-negative and mixing a probability")
        }
        return self
    }
}
