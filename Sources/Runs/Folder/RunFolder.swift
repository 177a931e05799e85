import Foundation
import ImageIO
import MLXCore

/// One run's folder: config.json, checkpoint.safetensors, snapshots/, final images, losses.csv.
/// Every file is written atomically (temporary file, then rename).
public struct RunFolder {
    public let url: URL

    public init(path: String) throws {
        url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
            throw RunError.unwritableOutput(path: path, reason: "it is a file; --output names a folder")
        }
        var ancestor = url.deletingLastPathComponent()
        while ancestor.path != "/" && !FileManager.default.fileExists(atPath: ancestor.path) { ancestor = ancestor.deletingLastPathComponent() }
        if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw RunError.unwritableOutput(path: path, reason: "'\(ancestor.path)' is a file, not a folder")
        }
        do {
            try FileManager.default.createDirectory(at: url.appendingPathComponent("snapshots"), withIntermediateDirectories: true)
        } catch {
            throw RunError.unwritableOutput(path: path, reason: fileErrorReason(error))
        }
        guard FileManager.default.isWritableFile(atPath: url.path) else {
            throw RunError.unwritableOutput(path: path, reason: "permission denied")
        }
    }

    /// Removes partial files (`.<name>.tmp-<pid>`) that a killed run left here and in snapshots/;
    /// returns their names relative to the folder.
    public func removeStaleTemporaries() -> [String] {
        AtomicFile.removeStaleTemporaries(in: url.path)
            + AtomicFile.removeStaleTemporaries(in: file("snapshots")).map { "snapshots/\($0)" }
    }

    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    public var checkpointPath: String { file("checkpoint.safetensors") }

    /// snapshots/step-NNNNNN.png: the picture of the state a checkpoint saves.
    public func snapshotPath(step: Int) -> String { file(String(format: "snapshots/step-%06d.png", step)) }
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
            throw RunError.corruptRunFile(path: path, reason: jsonErrorReason(error))
        }
    }

    public func writeText(_ text: String, to name: String) throws {
        try writeAtomically(Data(text.utf8), to: file(name))
    }
}

