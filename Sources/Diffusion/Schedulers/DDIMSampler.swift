import MLXCore

/// diffusers' DDIMScheduler with η = 0 (deterministic): x_{t'} = √ᾱ_{t'} x̂₀ + √(1 − ᾱ_{t'}) ε̂.
public struct DDIMSampler: Sampler {
    public let schedule: NoiseSchedule
    public let timesteps: [Double]
    let stepRatio: Int

    public init(schedule: NoiseSchedule, steps: Int) throws {
        self.schedule = schedule
        timesteps = try schedule.timesteps(steps: steps, spacing: .leading)
        stepRatio = schedule.trainTimesteps / steps
    }

    public func step(modelOutput: MLXArray, stepIndex: Int, sample: MLXArray, noise: MLXArray?) throws -> MLXArray {
        let t = Int(timesteps[stepIndex])
        let previous = t - stepRatio
        let alpha = schedule.alphasCumprod[t]
        let alphaPrevious = previous >= 0 ? schedule.alphasCumprod[previous] : (schedule.setAlphaToOne ? 1 : schedule.alphasCumprod[0])
        var (original, epsilon) = try schedule.predictions(modelOutput: modelOutput, sample: sample, alphaCumprod: alpha)
        if schedule.clipSample {
            let range = Float(schedule.clipSampleRange)
            original = try clip(original, min: -range, max: range)
        }
        return try original * Float(alphaPrevious.squareRoot()) + epsilon * Float((1 - alphaPrevious).squareRoot())
    }
}
