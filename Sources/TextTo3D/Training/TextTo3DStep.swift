import Runs

/// Per-iteration numbers for the progress display and losses.csv.
public struct TextTo3DStep: RunStep {
    public let step: Int
    public let timestep: Int
    public let view: ViewDirection
    public let lsd: Float
    public let fm: Float
    public let kl: Float
    public let opacityEntropy: Float
    public let sparsity: Float
    public let stage: Stage

    /// The stage a step belongs to: the latent field, or RGB refinement.
    public enum Stage: String, Sendable {
        case latent, rgb
    }

    static let logColumns = ["step", "t", "view", "lsd", "fm", "kl", "opacity_entropy", "sparsity", "stage"]

    public var logFields: [String] {
        ["\(step)", "\(timestep)", view.rawValue] + [lsd, fm, kl, opacityEntropy, sparsity].map { "\($0)" } + [stage.rawValue]
    }

    public var progressValues: KeyValuePairs<String, Float> { ["lsd": lsd, "fm": fm, "kl": kl, "opacity": sparsity] }
}
