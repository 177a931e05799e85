/// Why a run could not start, continue or finish; each case names the file, setting or step.
public enum RunError: Error, CustomStringConvertible, Equatable {
    case unwritableOutput(path: String, reason: String)
    case corruptRunFile(path: String, reason: String)
    case incompatibleCheckpoint(path: String, reason: String)
    case nonFinite(step: Int, term: String, lastCheckpointStep: Int?)
    case invalidSetting(String)
    /// SIGINT/SIGTERM: the run stopped after `step`, whose checkpoint is at `checkpoint`.
    case stopped(signal: String, step: Int, checkpoint: String)

    public var description: String {
        switch self {
        case let .unwritableOutput(path, reason): return "cannot write to output folder '\(path)': \(reason)"
        case let .corruptRunFile(path, reason): return "cannot read '\(path)': \(reason)"
        case let .incompatibleCheckpoint(path, reason): return "cannot resume from '\(path)': \(reason)"
        case let .nonFinite(step, term, last):
            let kept = last.map { "the checkpoint of step \($0) is kept" } ?? "no checkpoint was written yet"
            return "optimisation stopped at step \(step): \(term) is NaN or infinite; \(kept)"
        case let .invalidSetting(message): return message
        case let .stopped(signal, step, checkpoint):
            return "stopped by \(signal) after step \(step); its checkpoint is '\(checkpoint)': run the same command with --resume to continue"
        }
    }
}
