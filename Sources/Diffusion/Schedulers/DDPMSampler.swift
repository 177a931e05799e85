import MLXCore

/// diffusers' DDPMScheduler (variance "fixed_small"): the posterior mean of x_{t'} given x̂₀ and
/// x_t, plus √variance · noise when t > 0.
public struct DDPMSampler: Sampler {
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
        let alphaPrevious = previous >= 0 ? schedule.alphasCumprod[previous] : 1
        let (beta, betaPrevious) = (1 - alpha, 1 - alphaPrevious)
        let currentAlpha = alpha / alphaPrevious
        let currentBeta = 1 - currentAlpha
        var (original, _) = try schedule.predictions(modelOutput: modelOutput, sample: sample, alphaCumprod: alpha)
        if schedule.clipSample {
            let range = Float(schedule.clipSampleRange)
            original = try clip(original, min: -range, max: range)
        }
        let originalCoefficient = Float(alphaPrevious.squareRoot() * currentBeta / beta)
        let sampleCoefficient = Float(currentAlpha.squareRoot() * betaPrevious / beta)
        let mean = try original * originalCoefficient + sample * sampleCoefficient
        guard t > 0, let noise else { return mean }
        let variance = max(betaPrevious / beta * currentBeta, 1e-20)
        return try mean + noise * Float(variance.squareRoot())
    }
}
