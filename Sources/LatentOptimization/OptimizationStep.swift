import Runs

/// Per-step numbers reported to the progress display and losses.csv.
public struct OptimizationStep: RunStep {
    public let step: Int
    public let lsd: Float
    public let fm: Float
    public let kl: Float
    public let timestep: Int
    /// ‖g_LSD‖, ‖∂L_FM/∂v‖, ‖∂L_KL/∂v‖.
    public let gradientNorms: [Float]

    static let logColumns = ["step", "t", "lsd", "fm", "kl", "grad_norm_lsd", "grad_norm_fm", "grad_norm_kl"]

    public var logFields: [String] {
        ["\(step)", "\(timestep)", "\(lsd)", "\(fm)", "\(kl)"] + gradientNorms.map { "\($0)" }
    }

    public var progressValues: KeyValuePairs<String, Float> { ["lsd": lsd, "fm": fm, "kl": kl] }
}
