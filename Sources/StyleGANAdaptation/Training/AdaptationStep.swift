import Runs

/// One adaptation step's numbers for losses.csv and the progress line.
public struct AdaptationStep: RunStep {
    public let step: Int
    public let timestep: Int
    public let lsd: Float
    public let fm: Float
    public let kl: Float
    /// The W+ indices whose layers trained this step (all of conv1/convs unless --layers says otherwise).
    public let layers: [Int]

    static let logColumns = ["step", "t", "lsd", "fm", "kl", "layers"]

    public var logFields: [String] {
        ["\(step)", "\(timestep)", "\(lsd)", "\(fm)", "\(kl)", layers.map(String.init).joined(separator: " ")]
    }

    public var progressValues: KeyValuePairs<String, Float> { ["lsd": lsd, "fm": fm, "kl": kl] }
}
