import Foundation
import MLXCore
import Runs

/// Runs a sweep's prompts as child processes of this executable, `processes` at a time. Ctrl-C
/// reaches the children too (same process group): each stops at its step boundary with a
/// checkpoint, and no new prompt is started.
final class SweepRunner {
    struct Results {
        var seconds: [Int: Double] = [:]
        var failed: [SweepPlan.Entry] = []
        var stoppedBy: String?
    }

    let arguments: [String]
    let processes: Int
    private let lock = NSLock()
    // Shared by the worker threads, under `lock`.
    private var results = Results()
    private var next = 0

    init(arguments: [String], processes: Int) {
        self.arguments = arguments
        self.processes = processes
    }

    func run(_ entries: [SweepPlan.Entry]) throws -> Results {
        guard let executable = Bundle.main.executableURL else { throw InputError("cannot find the latent-prior executable to start runs") }
        StopRequests.listen()
        defer { StopRequests.stopListening() }
        results = Results()
        next = 0
        let group = DispatchGroup()
        for _ in 0..<min(processes, entries.count) {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                while true {
                    lock.lock()
                    if let signal = StopRequests.pending { results.stoppedBy = signal }
                    guard results.stoppedBy == nil, next < entries.count else { lock.unlock(); return }
                    let entry = entries[next]
                    next += 1
                    lock.unlock()
                    let started = Date()
                    let status = runOne(entry, executable: executable)
                    let seconds = Date().timeIntervalSince(started)
                    lock.lock()
                    if status == 0 {
                        results.seconds[entry.index] = seconds
                        let marker = try? JSONSerialization.data(withJSONObject: ["prompt": entry.prompt, "seconds": seconds], options: [.sortedKeys])
                        try? marker.map { try writeAtomically($0, to: entry.doneMarker.path) }
                        print("done: \(entry.folder.lastPathComponent) (\(String(format: "%.1f", seconds)) s)")
                    } else if StopRequests.pending == nil {
                        results.failed.append(entry)
                        print("failed (status \(status)): \(entry.folder.lastPathComponent), see its sweep.log")
                    }
                    lock.unlock()
                }
            }
        }
        group.wait()
        if results.stoppedBy == nil, let signal = StopRequests.pending { results.stoppedBy = signal }
        return results
    }

    /// One prompt's run, its stdout and stderr in the run folder's sweep.log; returns its exit status.
    private func runOne(_ entry: SweepPlan.Entry, executable: URL) -> Int32 {
        do {
            try FileManager.default.createDirectory(at: entry.folder, withIntermediateDirectories: true)
            let logURL = entry.folder.appendingPathComponent("sweep.log")
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
            let log = try FileHandle(forWritingTo: logURL)
            defer { try? log.close() }
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments + ["--prompt", entry.prompt, "--output", entry.folder.path, "--resume"]
            var environment = ProcessInfo.processInfo.environment
            // Several runs at once share the cores instead of each starting a thread per core.
            if environment["OPENBLAS_NUM_THREADS"] == nil {
                environment["OPENBLAS_NUM_THREADS"] = "\(max(1, ProcessInfo.processInfo.activeProcessorCount / processes))"
            }
            process.environment = environment
            process.standardOutput = log
            process.standardError = log
            print("start: \(entry.folder.lastPathComponent): \(entry.prompt)")
            try process.run()
            process.waitUntilExit()
            return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        } catch {
            return 127
        }
    }
}
