import MLXCore

/// The tensors of a checkpoint in named groups ("adam" → an optimiser's state, "scene" → weights,
/// …) and its string metadata, stored as one safetensors file whose tensor keys are "group.key".
/// Written atomically, so a reader (or a resumed run) never sees half a checkpoint.
public struct CheckpointFile {
    public var groups: [String: [String: MLXArray]]
    public var metadata: [String: String]

    public init(groups: [String: [String: MLXArray]], metadata: [String: String]) {
        self.groups = groups
        self.metadata = metadata
    }

    public func save(to path: String) throws {
        var tensors: [String: MLXArray] = [:]
        for (group, members) in groups {
            for (key, value) in members { tensors["\(group).\(key)"] = value }
        }
        try SafetensorsFile(tensors: tensors, metadata: metadata).save(path)
    }

    /// Reads `path`; tensors whose key has no group prefix are ignored.
    public static func load(from path: String) throws -> CheckpointFile {
        let file = try SafetensorsFile.load(path)
        var groups: [String: [String: MLXArray]] = [:]
        for (key, value) in file.tensors {
            guard let dot = key.firstIndex(of: ".") else { continue }
            groups[String(key[..<dot]), default: [:]][String(key[key.index(after: dot)...])] = value
        }
        return CheckpointFile(groups: groups, metadata: file.metadata)
    }
}
