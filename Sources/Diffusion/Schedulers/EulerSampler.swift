import Foundation
import MLXCore

/// diffusers' EulerDiscreteScheduler (no churn): σ_t = √((1 − ᾱ_t)/ᾱ_t), model input scaled by
/// 1/√(σ² + 1), x_{next} = x + (x − x̂₀)/σ · (σ_next − σ).
public struct EulerSampler: Sampler {
    public let schedule: NoiseSchedule
    public let timesteps: [Double]
    /// σ at each inference step, then a final 0.
    public let sigmas: [Double]
    public let initialNoiseScale: Float

    public init(schedule: NoiseSchedule, steps: Int) throws {
        self.schedule = schedule
        let spacing = schedule.spacing ?? .linspace
        timesteps = try schedule.timesteps(steps: steps, spacing: .linspace, roundLinspace: false)
        let trainSigmas = schedule.alphasCumprod.map { ((1 - $0) / $0).squareRoot() }
        // np.interp(timesteps, arange(T), sigmas): linear interpolation at fractional timesteps.
        sigmas = timesteps.map { t in
            let low = Int(Foundation.floor(t)), high = Swift.min(low + 1, trainSigmas.count - 1)
            let fraction = t - Double(low)
            return trainSigmas[low] * (1 - fraction) + trainSigmas[high] * fraction
        } + [0]
        let largest = sigmas.max()!
        initialNoiseScale = Float(spacing == .leading ? (largest * largest + 1).squareRoot() : largest)
    }

    public func scaleModelInput(_ sample: MLXArray, stepIndex: Int) throws -> MLXArray {
        let sigma = sigmas[stepIndex]
        return try sample / Float((sigma * sigma + 1).squareRoot())
    }

    public func step(modelOutput: MLXArray, stepIndex: Int, sample: MLXArray, noise: MLXArray?) throws -> MLXArray {
        let sigma = sigmas[stepIndex]
        let original: MLXArray
        switch schedule.predictionType {
        case .epsilon:
            original = try sample - modelOutput * Float(sigma)
        case .vPrediction:
            original = try modelOutput * Float(-sigma / (sigma * sigma + 1).squareRoot()) + sample / Float(sigma * sigma + 1)
        case .sample:
            original = modelOutput
        }
        let derivative = try (sample - original) / Float(sigma)
        return try sample + derivative * Float(sigmas[stepIndex + 1] - sigma)
    }
}
