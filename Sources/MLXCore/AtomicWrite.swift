import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that could not be written, with the system's reason.
public enum FileWriteError: Error, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "cannot write '\(path)': \(reason)"
        }
    }
}

/// Writes `data` to a temporary file in the destination folder, then moves it into place (see
/// `AtomicFile`), so a reader never sees a half-written file and an interrupted run never leaves one.
/// (Not Foundation's `.atomic` option: on Linux it leaves an empty `TemporaryDirectory.*` folder in
/// /tmp behind on every write, and it does not flush to disk before the rename.)
public func writeAtomically(_ data: Data, to path: String) throws {
    let temporary = AtomicFile.temporaryPath(for: path)
    do {
        try data.write(to: URL(fileURLWithPath: temporary))
    } catch {
        try? FileManager.default.removeItem(atPath: temporary)
        throw FileWriteError.cannotWrite(path: path, reason: fileErrorReason(error))
    }
    try AtomicFile.moveIntoPlace(temporary, path: path)
}

/// The write-to-temporary-then-rename protocol every output file of the project follows.
///
/// The temporary is `.<name>.tmp-<pid>` beside the destination: hidden, on the same file system
/// (so rename(2) is atomic), and tagged with the writer's process so a later run can tell a
/// temporary left by a killed process from one being written right now (`removeStaleTemporaries`).
public enum AtomicFile {
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    }

    /// Flushes the finished temporary to disk, renames it over `path`, and flushes the folder, so a
    /// power loss leaves either the old file or the whole new one (without the first fsync, the
    /// rename can reach the disk before the data and leave a truncated file under the final name).
    public static func moveIntoPlace(_ temporary: String, path: String) throws {
        do {
            try flush(temporary)
            FaultInjection.killIfRequested(beforeRenaming: path)
            guard rename(temporary, path) == 0 else { throw FileWriteError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        } catch {
            unlink(temporary)
            throw error
        }
        // The folder's entry must reach the disk too; a folder that cannot be opened (unusual
        // permissions) leaves the rename as durable as the file system makes it by itself.
        try? flush(URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    private static func flush(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw FileWriteError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw FileWriteError.cannotWrite(path: path, reason: "fsync: \(String(cString: strerror(errno)))") }
    }

    /// Removes `.<name>.tmp-<pid>` files in `folder` whose writer is no longer running (a run killed
    /// inside a write); returns their names. Temporaries of live processes are left alone.
    @discardableResult
    public static func removeStaleTemporaries(in folder: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var removed: [String] = []
        for name in names.sorted() {
            guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards),
                  let pid = pid_t(name[marker.upperBound...]), pid > 0 else { continue }
            let alive = pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
            if !alive, unlink(URL(fileURLWithPath: folder).appendingPathComponent(name).path) == 0 { removed.append(name) }
        }
        return removed
    }
}

/// Crash testing: `LATENT_PRIOR_FAULT_INJECTION=kill-before-rename:<file name>:<n>` makes the
/// process SIGKILL itself on the n-th time a file of that name is about to be renamed into place
/// (its temporary complete and flushed). Tests use it to kill a run inside a checkpoint write at
/// an exact moment instead of at a random one; unset, this costs one dictionary lookup per file.
enum FaultInjection {
    nonisolated(unsafe) private static var renames: [String: Int] = [:]
    private static let lock = NSLock()

    static func killIfRequested(beforeRenaming path: String) {
        guard let request = ProcessInfo.processInfo.environment["LATENT_PRIOR_FAULT_INJECTION"] else { return }
        let parts = request.split(separator: ":").map(String.init)
        guard parts.count == 3, parts[0] == "kill-before-rename", let n = Int(parts[2]) else { return }
        let name = URL(fileURLWithPath: path).lastPathComponent
        guard name == parts[1] else { return }
        lock.lock()
        renames[name, default: 0] += 1
        let count = renames[name]!
        lock.unlock()
        if count == n { kill(getpid(), SIGKILL) }
    }
}
