/// What one step of a run reports: its losses.csv row and the numbers the progress display shows.
public protocol RunStep {
    var step: Int { get }
    /// The row of losses.csv, step first, in the order of the application's `logColumns`.
    var logFields: [String] { get }
    /// Short names and values for the progress line ("lsd", "fm", …).
    var progressValues: KeyValuePairs<String, Float> { get }
}
