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
            throw RunError.corruptRunFile(path: path, reason: "\(error)")
        }
    }

    public func writeText(_ text: String, to name: String) throws {
        try writeAtomically(Data(text.utf8), to: file(name))
    }
}
