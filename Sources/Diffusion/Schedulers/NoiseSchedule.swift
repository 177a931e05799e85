import Foundation
import MLXCore

/// The forward-process noise schedule of a diffusion model (diffusers' scheduler config):
/// betas, ᾱ_t = Π(1 − β), prediction type and timestep spacing. Pure values, no state.
public struct NoiseSchedule: Sendable {
    public enum PredictionType: String, Sendable { case epsilon, vPrediction = "v_prediction", sample }
    public enum Spacing: String, Sendable { case leading, linspace, trailing }

    public let trainTimesteps: Int
    public let betas: [Double]
    public let alphasCumprod: [Double]
    public let predictionType: PredictionType
    public let stepsOffset: Int
    public let setAlphaToOne: Bool
    public let clipSample: Bool
    public let clipSampleRange: Double
    /// The spacing the config asks for; nil lets each sampler use its diffusers default.
    public let spacing: Spacing?

    public init(trainTimesteps: Int = 1000, betaStart: Double = 0.00085, betaEnd: Double = 0.012,
                betaSchedule: String = "scaled_linear", predictionType: PredictionType = .epsilon,
                stepsOffset: Int = 1, setAlphaToOne: Bool = false, clipSample: Bool = false,
                clipSampleRange: Double = 1, spacing: Spacing? = nil, path: String = "scheduler config") throws {
        guard trainTimesteps >= 2 else {
            throw DiffusionError.unsupportedConfigValue(path: path, key: "num_train_timesteps", value: "\(trainTimesteps)", supported: "≥ 2")
        }
        self.trainTimesteps = trainTimesteps
        switch betaSchedule {
        case "linear":
            betas = (0..<trainTimesteps).map { betaStart + (betaEnd - betaStart) * Double($0) / Double(trainTimesteps - 1) }
        case "scaled_linear":
            let (a, b) = (betaStart.squareRoot(), betaEnd.squareRoot())
            betas = (0..<trainTimesteps).map { pow(a + (b - a) * Double($0) / Double(trainTimesteps - 1), 2) }
        case "squaredcos_cap_v2":
            func alphaBar(_ t: Double) -> Double { pow(cos((t + 0.008) / 1.008 * Double.pi / 2), 2) }
            betas = (0..<trainTimesteps).map { i in
                min(1 - alphaBar(Double(i + 1) / Double(trainTimesteps)) / alphaBar(Double(i) / Double(trainTimesteps)), 0.999)
            }
        default:
            throw DiffusionError.unsupportedConfigValue(path: path, key: "beta_schedule", value: betaSchedule,
                                                        supported: "linear, scaled_linear, squaredcos_cap_v2")
        }
        // β outside [0, 1) makes ᾱ zero or negative and every √ᾱ after it NaN.
        guard betas.allSatisfy({ $0.isFinite && $0 >= 0 && $0 < 1 }) else {
            throw DiffusionError.unsupportedConfigValue(path: path, key: "beta_start/beta_end", value: "\(betaStart)/\(betaEnd)",
                                                        supported: "betas in [0, 1)")
        }
        guard (0..<trainTimesteps).contains(stepsOffset) else {
            throw DiffusionError.unsupportedConfigValue(path: path, key: "steps_offset", value: "\(stepsOffset)",
                                                        supported: "0...\(trainTimesteps - 1) (below num_train_timesteps)")
        }
        var product = 1.0
        alphasCumprod = betas.map { beta in
            product *= 1 - beta
            return product
        }
        self.predictionType = predictionType
        self.stepsOffset = stepsOffset
        self.setAlphaToOne = setAlphaToOne
        self.clipSample = clipSample
        self.clipSampleRange = clipSampleRange
        self.spacing = spacing
    }

    /// Reads `scheduler/scheduler_config.json` (any diffusers scheduler class; the schedule is shared).
    public init(config c: JSONConfig) throws {
        let prediction = try c.string("prediction_type", default: "epsilon")
        guard let predictionType = PredictionType(rawValue: prediction) else {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "prediction_type", value: prediction,
                                                        supported: "epsilon, v_prediction, sample")
        }
        let spacing = try c.optionalString("timestep_spacing")
        guard spacing == nil || Spacing(rawValue: spacing!) != nil else {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "timestep_spacing", value: spacing!,
                                                        supported: "leading, linspace, trailing")
        }
        try c.require("trained_betas", in: [nil])
        try self.init(
            trainTimesteps: c.int("num_train_timesteps", default: 1000, in: ConfigBounds.trainTimesteps), betaStart: c.double("beta_start", default: 0.0001),
            betaEnd: c.double("beta_end", default: 0.02), betaSchedule: c.string("beta_schedule", default: "linear"),
            predictionType: predictionType, stepsOffset: c.int("steps_offset", default: 0, in: 0...(ConfigBounds.trainTimesteps.upperBound - 1)),
            setAlphaToOne: c.bool("set_alpha_to_one", default: true), clipSample: c.bool("clip_sample", default: false),
            clipSampleRange: c.double("clip_sample_range", default: 1), spacing: spacing.flatMap(Spacing.init(rawValue:)),
            path: c.path)
    }

    /// Inference timesteps, descending, for `steps` denoising steps (diffusers' set_timesteps).
    /// DDIM/DDPM round linspace timesteps to integers; Euler keeps them fractional (`roundLinspace`).
    public func timesteps(steps: Int, spacing defaultSpacing: Spacing, roundLinspace: Bool = true) throws -> [Double] {
        guard (1...trainTimesteps).contains(steps) else {
            throw DiffusionError.invalidInput("number of inference steps must be in 1...\(trainTimesteps), got \(steps)")
        }
        let T = trainTimesteps
        switch spacing ?? defaultSpacing {
        case .linspace:
            return (0..<steps).map { index -> Double in
                let value = steps == 1 ? 0 : Double(T - 1) * Double(index) / Double(steps - 1)
                return roundLinspace ? value.rounded(.toNearestOrEven) : Double(Float(value))
            }.reversed()
        case .leading:
            let ratio = T / steps
            // diffusers would index past the schedule here; say which setting did it instead.
            guard (steps - 1) * ratio + stepsOffset < T else {
                throw DiffusionError.invalidInput("steps_offset \(stepsOffset) with \(steps) steps of \(ratio) reaches timestep \((steps - 1) * ratio + stepsOffset), past the schedule's \(T - 1): use fewer steps or another timestep_spacing")
            }
            return (0..<steps).map { Double($0 * ratio + stepsOffset) }.reversed()
        case .trailing:
            let ratio = Double(T) / Double(steps)
            return stride(from: Double(T), to: 0, by: -ratio).map { $0.rounded(.toNearestOrEven) - 1 }
        }
    }

    /// ᾱ at a (possibly fractional) timestep index.
    public func alphaCumprod(at t: Int) -> Double { alphasCumprod[t] }

    /// z_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε, with t one integer timestep per batch element.
    public func addNoise(_ original: MLXArray, noise: MLXArray, timesteps: [Int]) throws -> MLXArray {
        let shape = [timesteps.count] + Array(repeating: 1, count: original.ndim - 1)
        let signal = try MLXArray(timesteps.map { Float(alphasCumprod[$0].squareRoot()) }, shape: shape)
        let noiseScale = try MLXArray(timesteps.map { Float((1 - alphasCumprod[$0]).squareRoot()) }, shape: shape)
        return try signal.asType(original.dtype) * original + noiseScale.asType(original.dtype) * noise
    }

    /// The model output converted to a prediction of x₀ and of ε at ᾱ_t (epsilon, v or sample targets).
    func predictions(modelOutput: MLXArray, sample: MLXArray, alphaCumprod: Double) throws -> (original: MLXArray, epsilon: MLXArray) {
        let (a, b) = (Float(alphaCumprod.squareRoot()), Float((1 - alphaCumprod).squareRoot()))
        switch predictionType {
        case .epsilon:
            return (try (sample - modelOutput * b) / a, modelOutput)
        case .vPrediction:
            return (try sample * a - modelOutput * b, try modelOutput * a + sample * b)
        case .sample:
            return (modelOutput, try (sample - modelOutput * a) / b)
        }
    }
}
