import Runs

/// One editing step's numbers for losses.csv and the progress line.
public struct EditStep: RunStep {
    public let step: Int
    public let timestep: Int
    public let learningRate: Float
    /// The prior's terms on the composite (LSD as ‖g‖²/2, FM, KL), and on the green-screen layer
    /// (their λ-weighted total; 0 when the screen term is off).
    public let lsd: Float
    public let fm: Float
    public let kl: Float
    public let screen: Float
    public let structure: Float
    public let sparsity: Float
    public let mask: Float
    /// Mean α over the step's views: how much of the picture the layer covers.
    public let meanAlpha: Float

    static let logColumns = ["step", "t", "lr", "lsd", "fm", "kl", "screen", "structure", "sparsity", "mask", "mean_alpha"]

    public var logFields: [String] {
        ["\(step)", "\(timestep)"] + [learningRate, lsd, fm, kl, screen, structure, sparsity, mask, meanAlpha].map { "\($0)" }
    }

    public var progressValues: KeyValuePairs<String, Float> {
        ["lsd": lsd, "structure": structure, "alpha": meanAlpha]
    }
}
