import Foundation

/// A run's per-step CSV log (losses.csv): a header, then one row per completed step whose first
/// column is the step. A fresh run starts it anew; a resumed run first drops the rows after its
/// checkpoint, which it is about to compute again, so the log never repeats a step.
public struct LossLog {
    public let folder: RunFolder
    public let name: String
    public let columns: [String]

    public init(folder: RunFolder, name: String = "losses.csv", columns: [String]) {
        self.folder = folder
        self.name = name
        self.columns = columns
    }

    public var path: String { folder.file(name) }
    var header: String { columns.joined(separator: ",") }

    /// Replaces any earlier log with the header alone.
    public func reset() throws {
        try folder.writeText(header + "\n", to: name)
    }

    /// Keeps the header and the rows of steps ≤ `step`. Lines that do not start with a step
    /// number (the header) stay; a missing log becomes a header alone.
    public func truncate(after step: Int) throws {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? header + "\n"
        let kept = text.split(separator: "\n").filter { line in
            guard let first = line.split(separator: ",").first, let rowStep = Int(first) else { return true }
            return rowStep <= step
        }
        try folder.writeText(kept.joined(separator: "\n") + "\n", to: name)
    }

    /// Appends one row (the step first).
    public func append(_ fields: [String]) throws {
        if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) {
            throw RunError.unwritableOutput(path: path, reason: "cannot create the file")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw RunError.unwritableOutput(path: path, reason: "cannot open for appending")
        }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data((fields.joined(separator: ",") + "\n").utf8))
    }
}
