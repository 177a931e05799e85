import Diffusion

/// The latent diffusion prior's settings (SPEC §2). Defaults: DreamFusion-style t range and
/// weighting, classifier-free guidance 100 as Latent-NeRF and SJC use, FM on the decoder's mid
/// block and first two up blocks, λ_FM = λ_KL = 100.
public struct PriorConfiguration: Codable, Equatable, Sendable {
    public enum Weighting: String, Codable, CaseIterable, Sendable {
        /// w(t) = 1 − ᾱ_t (DreamFusion).
        case oneMinusAlpha = "1-alpha"
        /// w(t) = √ᾱ_t (1 − ᾱ_t) (Latent-NeRF).
        case sqrtAlphaOneMinusAlpha = "sqrt-alpha-1-alpha"
        /// w(t) = 1.
        case uniform
    }

    public var guidanceScale: Float = 100
    /// t ~ U[tMin·T, tMax·T] (fractions of the training timesteps).
    public var tMin: Float = 0.02
    public var tMax: Float = 0.98
    /// If set, t_max anneals linearly from `tMax` to this value over the run (`progress` 0 → 1).
    public var tMaxFinal: Float?
    public var weighting: Weighting = .oneMinusAlpha
    public var lambdaLSD: Float = 1
    /// 100: FM and KL gradients then weigh ~1.5% of g_LSD's norm each; λ = 1 changes nothing and
    /// 1000 shifts hues (the measured study in docs/PRIOR.md).
    public var lambdaFM: Float = 100
    public var lambdaKL: Float = 100
    /// Decoder layers for feature matching, by name ("mid_block", "up_blocks.0", …).
    public var featureMatchingLayers: [String] = ["mid_block", "up_blocks.0", "up_blocks.1"]

    public init() {}

    /// Checks ranges and layer names; errors name the setting and the value.
    public func validated(trainTimesteps: Int) throws -> PriorConfiguration {
        for (name, value) in [("lambda-lsd", lambdaLSD), ("lambda-fm", lambdaFM), ("lambda-kl", lambdaKL)] where value < 0 || !value.isFinite {
            throw PriorError.invalidSetting("\(name) must be a non-negative number, got \(value)")
        }
        guard guidanceScale.isFinite, guidanceScale >= 0 else {
            throw PriorError.invalidSetting("guidance scale must be a non-negative number, got \(guidanceScale)")
        }
        let lowest = 1 / Float(trainTimesteps), highest = Float(trainTimesteps - 1) / Float(trainTimesteps)
        for (name, value) in [("t-min", tMin), ("t-max", tMax), ("t-max-final", tMaxFinal ?? tMax)] {
            guard value >= lowest - 1e-6, value <= highest + 1e-6 else {
                throw PriorError.invalidSetting("\(name) = \(value) puts t outside [1, \(trainTimesteps - 1)]; use a fraction in [\(lowest), \(highest)]")
            }
        }
        guard tMin <= tMax, tMin <= (tMaxFinal ?? tMax) else {
            throw PriorError.invalidSetting("t-min (\(tMin)) must not exceed t-max (\(tMax), final \(tMaxFinal ?? tMax))")
        }
        _ = try decoderLayers()
        return self
    }

    public func decoderLayers() throws -> Set<DecoderLayer> {
        Set(try featureMatchingLayers.map { name in
            guard let layer = DecoderLayer(name: name) else {
                throw PriorError.invalidSetting("unknown feature-matching layer '\(name)' (use mid_block, up_blocks.N or conv_in)")
            }
            return layer
        })
    }
}

public enum PriorError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidSetting(let message), .invalidInput(let message): return message
        }
    }
}
