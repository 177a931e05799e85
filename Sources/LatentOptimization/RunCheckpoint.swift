import Foundation
import MLXCore

/// A run's checkpoint: named groups of tensors ("adam" → its state, "scene" → weights, …), the
/// completed step and the run's configuration, in one safetensors file written atomically.
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
        var tensors: [String: MLXArray] = [:]
        for (group, members) in groups {
            for (key, value) in members { tensors["\(group).\(key)"] = value }
        }
        let configJSON = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        try SafetensorsFile(tensors: tensors, metadata: ["step": "\(step)", "config": configJSON]).save(path)
    }

    /// Reads a checkpoint written by `command`; a file without its metadata is named as not one.
    public static func load(from path: String, command: String) throws -> RunCheckpoint {
        let file = try SafetensorsFile.load(path)
        guard let stepText = file.metadata["step"], let step = Int(stepText), let configText = file.metadata["config"],
              let configuration = try? JSONDecoder().decode(Configuration.self, from: Data(configText.utf8)) else {
            throw RunError.incompatibleCheckpoint(path: path, reason: "no step/config metadata (not a checkpoint of `\(command)`)")
        }
        var groups: [String: [String: MLXArray]] = [:]
        for (key, value) in file.tensors {
            guard let dot = key.firstIndex(of: ".") else { continue }
            groups[String(key[..<dot]), default: [:]][String(key[key.index(after: dot)...])] = value
        }
        return RunCheckpoint(step: step, configuration: configuration, groups: groups)
    }
}
