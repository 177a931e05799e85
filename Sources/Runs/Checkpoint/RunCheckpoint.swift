import Foundation
import MLXCore

/// A run's checkpoint: named groups of tensors, the completed step and the run's configuration
/// (as JSON with sorted keys, so identical runs write identical files).
public struct RunCheckpoint<Configuration: Codable> {
    public let step: Int
    public let configuration: Configuration
    public let groups: [String: [String: MLXArray]]

    public init(step: Int, configuration: Configuration, groups: [String: [String: MLXArray]]) {
        self.step = step
        self.configuration = configuration
        self.groups = groups
    }

    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let configJSON = String(decoding: try encoder.encode(configuration), as: UTF8.self)
        try CheckpointFile(groups: groups, metadata: ["step": "\(step)", "config": configJSON]).save(to: path)
    }

    /// Reads a checkpoint written by `command`; a file without its metadata is named as not one.
    public static func load(from path: String, command: String) throws -> RunCheckpoint {
        let file = try CheckpointFile.load(from: path)
        let (step, configuration) = try settings(file.metadata, path: path, command: command)
        return RunCheckpoint(step: step, configuration: configuration, groups: file.groups)
    }

    /// The step and configuration of a checkpoint, from its header alone (no tensor is read).
    public static func settings(of path: String, command: String) throws -> (step: Int, configuration: Configuration) {
        try settings(SafetensorsHeader.read(path).metadata, path: path, command: command)
    }

    private static func settings(_ metadata: [String: String], path: String, command: String) throws -> (step: Int, configuration: Configuration) {
        guard let stepText = metadata["step"], let step = Int(stepText), step >= 0, let configText = metadata["config"],
              let configuration = try? JSONDecoder().decode(Configuration.self, from: Data(configText.utf8)) else {
            throw RunError.incompatibleCheckpoint(path: path, reason: "no step/config metadata (not a checkpoint of `\(command)`)")
        }
        return (step, configuration)
    }
}
