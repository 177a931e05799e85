import Foundation
import MLXCore

/// The loop every application runs: a run folder with config.json and losses.csv; steps
/// 1…iterations, each logged and reported; a checkpoint every `saveEvery` steps and at the end;
/// `resume` continues from the folder's checkpoint only if it was made with the same settings
/// (all but those `resumableSettingsCleared` clears), and the log drops rows past it.
public final class OptimizationRun<Configuration: RunConfiguration> {
    public let folder: RunFolder
    public let configuration: Configuration
    public let log: LossLog
    /// The command's name, for messages ("a checkpoint of `optimize`").
    public let command: String
    public private(set) var completedSteps = 0
    /// The checkpoint this run resumes from, until the application has restored it.
    public private(set) var resumedCheckpoint: RunCheckpoint<Configuration>?
    private var lastCheckpointStep: Int?

    /// How the run is spread over processes (rank 0 alone writes files).
    public let parallel: DataParallel

    public init(configuration: Configuration, folder: RunFolder, command: String, logColumns: [String], resume: Bool,
                parallel: DataParallel = .single) throws {
        self.configuration = configuration
        self.folder = folder
        self.command = command
        self.parallel = parallel
        log = LossLog(folder: folder, columns: logColumns)
        if !parallel.writesFiles {
            // The other ranks only read: the checkpoint to resume from, written by rank 0.
            if resume && folder.hasCheckpoint {
                let saved = try RunCheckpoint<Configuration>.load(from: folder.checkpointPath, command: command)
                resumedCheckpoint = saved
                completedSteps = saved.step
                lastCheckpointStep = saved.step
            }
            return
        }
        for name in folder.removeStaleTemporaries() {
            RunNotices.post("removed '\(name)', a partial file left by an interrupted run")
        }
        if resume && !folder.hasCheckpoint {
            RunNotices.post("--resume: no checkpoint in '\(folder.url.path)', starting from step 0")
        }
        if resume && folder.hasCheckpoint {
            let path = folder.checkpointPath
            let saved = try RunCheckpoint<Configuration>.load(from: path, command: command)
            let differences = configuration.differences(from: saved.configuration)
            guard differences.isEmpty else {
                throw RunError.incompatibleCheckpoint(
                    path: path, reason: "it was made with another configuration: \(differences.joined(separator: ", ")) differ (see config.json there)")
            }
            resumedCheckpoint = saved
            completedSteps = saved.step
            lastCheckpointStep = saved.step
            try log.truncate(after: saved.step)
        } else {
            try log.reset()
        }
        try folder.writeJSON(configuration, to: "config.json")
    }

    /// Hands the resumed checkpoint's groups to `system` (once) and forgets them.
    public func restore<System: OptimizedSystem>(_ system: System) throws where System.Configuration == Configuration {
        guard let saved = resumedCheckpoint else { return }
        try system.restore(saved.groups, from: folder.checkpointPath)
        resumedCheckpoint = nil
    }

    /// Runs the remaining steps of `system`; `report` sees every step.
    public func execute<System: OptimizedSystem>(_ system: System, report: (System.Step) -> Void) throws
    where System.Configuration == Configuration {
        try restore(system)
        StopRequests.listen()
        defer { StopRequests.stopListening() }
        let randomness = StepRandomness(seed: configuration.seed)
        while completedSteps < configuration.totalSteps {
            let step = completedSteps + 1
            let context = StepContext(step: step, progress: configuration.progress(atStep: step), randomness: randomness,
                                      lastCheckpointStep: lastCheckpointStep)
            let record = try system.step(context)
            completedSteps = step
            if parallel.writesFiles {
                try log.append(record.logFields)
                report(record)
            }
            // Every rank must stop at the same step: a request seen by any stops all.
            var stopSignal = StopRequests.pending
            if try parallel.any(stopSignal != nil), stopSignal == nil { stopSignal = "a stop request of another rank" }
            if step % configuration.saveEvery == 0 || step == configuration.totalSteps || configuration.stageEnds.contains(step) || stopSignal != nil {
                try checkpoint(system, step: step)
            }
            // On the last step the run finishes as usual: its outputs are what the user waited for.
            if let stopSignal, step < configuration.totalSteps {
                StopRequests.clear()
                throw RunError.stopped(signal: stopSignal, step: step, checkpoint: folder.checkpointPath)
            }
        }
        StopRequests.stopListening()
        if parallel.writesFiles { try system.didFinish(in: folder) }
    }

    private func checkpoint<System: OptimizedSystem>(_ system: System, step: Int) throws where System.Configuration == Configuration {
        guard parallel.writesFiles else {
            lastCheckpointStep = step
            return
        }
        try system.willCheckpoint(step: step, in: folder)
        try RunCheckpoint(step: step, configuration: configuration, groups: system.checkpointGroups()).save(to: folder.checkpointPath)
        lastCheckpointStep = step
    }
}
