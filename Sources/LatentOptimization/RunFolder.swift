import Foundation
import ImageIO
import MLXCore

/// One run's folder: config.json, checkpoint.safetensors, snapshots/, final images, losses.csv.
/// Every file is written atomically (temporary file, then rename).
public struct RunFolder {
    public let url: URL

    public init(path: String) throws {
        url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.appendingPathComponent("snapshots"), withIntermediateDirectories: true)
        } catch {
            throw RunError.unwritableOutput(path: path, reason: (error as NSError).localizedDescription)
        }
        guard FileManager.default.isWritableFile(atPath: url.path) else {
            throw RunError.unwritableOutput(path: path, reason: "permission denied")
        }
    }

    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    public var checkpointPath: String { file("checkpoint.safetensors") }
    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointPath) }

    public func writeJSON<T: Encodable>(_ value: T, to name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(value), to: file(name))
    }

    public func readJSON<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        let path = file(name)
        do {
            return try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw RunError.corruptRunFile(path: path, reason: "\(error)")
        }
    }

    public func writeText(_ text: String, to name: String) throws {
        try writeAtomically(Data(text.utf8), to: file(name))
    }

    /// Drops the rows of a per-step CSV log (first column = step) after `step`: a resumed run
    /// will write them again. Rows that do not start with a step (the header) stay.
    public func truncateLog(_ name: String, after step: Int, header: String) throws {
        let text = (try? String(contentsOfFile: file(name), encoding: .utf8)) ?? header + "\n"
        let kept = text.split(separator: "\n").filter { line in
            guard let first = line.split(separator: ",").first, let rowStep = Int(first) else { return true }
            return rowStep <= step
        }
        try writeText(kept.joined(separator: "\n") + "\n", to: name)
    }

    public func appendLine(_ line: String, to name: String) throws {
        let path = file(name)
        if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) {
            throw RunError.unwritableOutput(path: path, reason: "cannot create the file")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw RunError.unwritableOutput(path: path, reason: "cannot open for appending")
        }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
    }
}

public enum RunError: Error, CustomStringConvertible, Equatable {
    case unwritableOutput(path: String, reason: String)
    case corruptRunFile(path: String, reason: String)
    case incompatibleCheckpoint(path: String, reason: String)
    case nonFinite(step: Int, term: String, lastCheckpointStep: Int?)
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .unwritableOutput(path, reason): return "cannot write to output folder '\(path)': \(reason)"
        case let .corruptRunFile(path, reason): return "cannot read '\(path)': \(reason)"
        case let .incompatibleCheckpoint(path, reason): return "cannot resume from '\(path)': \(reason)"
        case let .nonFinite(step, term, last):
            let kept = last.map { "the checkpoint of step \($0) is kept" } ?? "no checkpoint was written yet"
            return "optimisation stopped at step \(step): \(term) is NaN or infinite; \(kept)"
        case let .invalidSetting(message): return message
        }
    }
}
