import Foundation
import Runs

/// The processes of a launch: started with the ring's environment, their output prefixed with the
/// rank, watched; the first to fail stops the others (SIGTERM: a run writes its checkpoint at the
/// step boundary; SIGKILL after a grace period), and its status is the launch's.
final class RankProcesses {
    let executable: URL
    let arguments: [String]
    let hosts: LaunchHosts
    let hostfilePath: String
    let graceSeconds: Double
    private var processes: [Process] = []
    private let outputLock = NSLock()
    /// Ranks in the order they ended, with their statuses (the first failure is the cause).
    private var ended: [(rank: Int, status: Int32)] = []
    private let endedLock = NSLock()

    init(executable: URL, arguments: [String], hosts: LaunchHosts, hostfilePath: String, graceSeconds: Double = 10) {
        self.executable = executable
        self.arguments = arguments
        self.hosts = hosts
        self.hostfilePath = hostfilePath
        self.graceSeconds = graceSeconds
    }

    /// The environment of rank `rank` (the ring's and ours, BLAS threads shared out on one machine).
    func environment(rank: Int) -> [String: String] {
        var variables: [String: String] = ["MLX_HOSTFILE": hostfilePath, "MLX_RANK": "\(rank)",
                                           "LATENT_PRIOR_RANK": "\(rank)", "LATENT_PRIOR_WORLD_SIZE": "\(hosts.hosts.count)"]
        let local = hosts.hosts.filter { $0.ssh == nil }.count
        if local > 1, ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
            variables["OPENBLAS_NUM_THREADS"] = "\(max(1, ProcessInfo.processInfo.activeProcessorCount / local))"
        }
        return variables
    }

    /// The command line of a rank on another host: ssh, writing the ring hostfile there first.
    func sshArguments(rank: Int, host: String) -> [String] {
        let exports = environment(rank: rank).sorted { $0.key < $1.key }.map { "\($0.key)=\(shellQuoted($0.value))" }
        let remote = "mkdir -p \(shellQuoted((hostfilePath as NSString).deletingLastPathComponent)) && printf %s "
            + "\(shellQuoted(hosts.ringHostfile)) > \(shellQuoted(hostfilePath)) && cd \(shellQuoted(FileManager.default.currentDirectoryPath)) && env "
            + exports.joined(separator: " ") + " " + ([executable.path] + arguments).map(shellQuoted).joined(separator: " ")
        return ["-o", "BatchMode=yes", host, remote]
    }

    /// Runs every rank to the end; returns the launch's exit status.
    func run() throws -> Int32 {
        StopRequests.listen()
        defer { StopRequests.stopListening() }
        for (rank, host) in hosts.hosts.enumerated() {
            let process = Process()
            if let ssh = host.ssh {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["ssh"] + sshArguments(rank: rank, host: ssh)
            } else {
                process.executableURL = executable
                process.arguments = arguments
                process.environment = ProcessInfo.processInfo.environment.merging(environment(rank: rank)) { _, new in new }
            }
            process.terminationHandler = { [weak self] finished in
                guard let self else { return }
                let status = self.status(of: finished)
                self.endedLock.withLock { self.ended.append((rank, status)) }
            }
            process.standardOutput = prefixed(rank: rank, to: FileHandle.standardOutput)
            process.standardError = prefixed(rank: rank, to: FileHandle.standardError)
            do {
                try process.run()
            } catch {
                stopAll()
                throw InputError("cannot start rank \(rank): \(error)")
            }
            processes.append(process)
        }
        var forwarded = false
        var stopping = false
        while processes.contains(where: \.isRunning) {
            if !stopping, firstFailure() != nil {
                stopping = true
                usleep(300_000)  // a lost-peer rank often ends first: give the cause time to be recorded
                let failure = firstFailure()!
                FileHandle.standardError.write(Data("launch: rank \(failure.rank) ended with status \(failure.status); stopping the others\n".utf8))
                stopAll()
            }
            if !forwarded, let signal = StopRequests.pending {
                // Ctrl-C in a terminal reaches the ranks by itself; a SIGTERM to launch is passed on.
                forwarded = true
                FileHandle.standardError.write(Data("launch: \(signal): asking every rank to stop at its next step\n".utf8))
                for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
            }
            usleep(50_000)
        }
        // Termination handlers may still be running for the last ranks.
        let deadline = Date().addingTimeInterval(2)
        while endedLock.withLock({ ended.count }) < processes.count, Date() < deadline { usleep(10_000) }
        if let failure = firstFailure() {
            if !stopping { FileHandle.standardError.write(Data("launch: rank \(failure.rank) ended with status \(failure.status)\n".utf8)) }
            return failure.status
        }
        return processes.map(status).first { $0 != 0 } ?? 0
    }

    /// The first rank that failed by itself; status 75 is a rank that lost its peer (or timed out
    /// waiting), a consequence of another's failure, reported only when no other failed.
    private func firstFailure() -> (rank: Int, status: Int32)? {
        endedLock.withLock { ended.first { $0.status != 0 && $0.status != 75 } ?? ended.first { $0.status != 0 } }
    }

    /// SIGTERM now, SIGKILL to whatever still runs after the grace period.
    private func stopAll() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(graceSeconds)
        while Date() < deadline, processes.contains(where: \.isRunning) { usleep(50_000) }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private func status(of process: Process) -> Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// A pipe whose lines are written to `destination` as "[rank] line".
    private func prefixed(rank: Int, to destination: FileHandle) -> Pipe {
        let pipe = Pipe()
        let buffer = LineBuffer(prefix: Data("[\(rank)] ".utf8), destination: destination, lock: outputLock)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil }
            buffer.take(chunk)
        }
        return pipe
    }
}

/// Collects a child's output and writes it line by line with its rank in front (one reader thread
/// per pipe; the lock keeps lines of different ranks whole).
private final class LineBuffer: @unchecked Sendable {
    let prefix: Data
    let destination: FileHandle
    let lock: NSLock
    private var pending = Data()

    init(prefix: Data, destination: FileHandle, lock: NSLock) {
        (self.prefix, self.destination, self.lock) = (prefix, destination, lock)
    }

    /// An empty chunk is the end of the output: what is left is written as a last line.
    func take(_ chunk: Data) {
        if chunk.isEmpty {
            if !pending.isEmpty { lock.withLock { destination.write(prefix + pending + Data("\n".utf8)) } }
            pending.removeAll()
            return
        }
        pending.append(chunk)
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[pending.startIndex...newline]
            lock.withLock { destination.write(prefix + line) }
            pending.removeSubrange(pending.startIndex...newline)
        }
    }
}

/// `text` quoted for a POSIX shell.
func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
