import Foundation

/// A file that could not be written, with the system's reason.
public enum FileWriteError: Error, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "cannot write '\(path)': \(reason)"
        }
    }
}

/// Writes `data` to a temporary file in the destination folder, then renames it into place, so a
/// reader never sees a half-written file and an interrupted run never leaves one.
/// (Not Foundation's `.atomic` option: on Linux it leaves an empty `TemporaryDirectory.*` folder in
/// /tmp behind on every write.)
public func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    do {
        try data.write(to: temporary)
    } catch {
        throw FileWriteError.cannotWrite(path: path, reason: (error as NSError).localizedDescription)
    }
    // rename(2) replaces the destination atomically.
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw FileWriteError.cannotWrite(path: path, reason: reason)
    }
}
