import MLXCore

/// A denoising sampler (diffusers' scheduler after set_timesteps): the timesteps to visit, how to
/// scale the model input, and one step from x_t to x_{t-1}.
public protocol Sampler {
    var timesteps: [Double] { get }
    /// Standard deviation of the initial latent noise.
    var initialNoiseScale: Float { get }
    func scaleModelInput(_ sample: MLXArray, stepIndex: Int) throws -> MLXArray
    /// `noise` is used only by stochastic samplers (DDPM).
    func step(modelOutput: MLXArray, stepIndex: Int, sample: MLXArray, noise: MLXArray?) throws -> MLXArray
}

extension Sampler {
    /// DDIM/DDPM start from unit-variance noise and feed the sample to the model unscaled.
    public var initialNoiseScale: Float { 1 }
    public func scaleModelInput(_ sample: MLXArray, stepIndex: Int) throws -> MLXArray { sample }
}

public enum SamplerKind: String, CaseIterable, Sendable {
    case ddim, euler, ddpm

    public func make(schedule: NoiseSchedule, steps: Int) throws -> Sampler {
        switch self {
        case .ddim: return try DDIMSampler(schedule: schedule, steps: steps)
        case .euler: return try EulerSampler(schedule: schedule, steps: steps)
        case .ddpm: return try DDPMSampler(schedule: schedule, steps: steps)
        }
    }
}
