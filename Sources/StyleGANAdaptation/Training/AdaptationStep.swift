import Runs

/// One adaptation step's numbers for losses.csv and the progress line.
public struct AdaptationStep: RunStep {
    public let step: Int
    public let timestep: Int
    public let lsd: Float
    public let fm: Float
    public let kl: Float
    /// The structure term against the frozen generator's sample (0 when its weight is 0).
    public let structure: Float
    /// The W+ indices whose layers trained this step (all of conv1/convs unless --layers says otherwise).
    public let layers: [Int]

    static let logColumns = ["step", "t", "lsd", "fm", "kl", "structure", "layers"]

    public var logFields: [String] {
        ["\(step)", "\(timestep)", "\(lsd)", "\(fm)", "\(kl)", "\(structure)", layers.map(String.init).joined(separator: " ")]
    }

    public var progressValues: KeyValuePairs<String, Float> { ["lsd": lsd, "fm": fm, "kl": kl, "structure": structure] }
}
