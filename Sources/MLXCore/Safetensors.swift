import CMLX
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tensors and string metadata of one safetensors file.
public struct SafetensorsFile {
    public var tensors: [String: MLXArray]
    public var metadata: [String: String]

    public init(tensors: [String: MLXArray], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads `path` with MLX's reader; a missing, truncated or corrupt file throws an error naming it.
    /// The header is checked first, by our own reader (`SafetensorsHeader`): MLX trusts it.
    /// Tensor bytes are read lazily, on first evaluation.
    public static func load(_ path: String) throws -> SafetensorsFile {
        let header = try SafetensorsHeader.read(path)
        var handle: mlxc_safetensors?
        try check(mlxc_safetensors_load(path, &handle))
        guard let handle else { throw MLXError("safetensors file '\(path)': no result") }
        defer { mlxc_safetensors_free(handle) }
        var tensors: [String: MLXArray] = [:]
        for i in 0..<mlxc_safetensors_count(handle) {
            tensors[String(cString: mlxc_safetensors_name(handle, i))] =
                try produce { mlxc_safetensors_array(handle, i, &$0) }
        }
        var metadata: [String: String] = [:]
        for i in 0..<mlxc_safetensors_metadata_count(handle) {
            metadata[String(cString: mlxc_safetensors_metadata_key(handle, i))] =
                String(cString: mlxc_safetensors_metadata_value(handle, i))
        }
        try header.checkAgrees(with: tensors, path: path)
        return SafetensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Writes atomically (temporary file beside `path`, flushed, then renamed; see `AtomicFile`):
    /// a reader never sees half a file, a power loss never leaves a truncated one.
    public func save(_ path: String) throws {
        let temporary = AtomicFile.temporaryPath(for: path)
        do {
            try write(to: temporary, reportingAs: path)
        } catch {
            unlink(temporary)
            throw error
        }
        try AtomicFile.moveIntoPlace(temporary, path: path)
    }

    private func write(to temporary: String, reportingAs path: String) throws {
        let names = tensors.keys.sorted()
        let arrays = names.map { tensors[$0]! }
        let keys = metadata.keys.sorted()
        let values = keys.map { metadata[$0]! }
        try withCStrings(names) { namePointers in
            try withCStrings(keys) { keyPointers in
                try withCStrings(values) { valuePointers in
                    try withHandles(arrays) { handles in
                        try check(mlxc_safetensors_save(temporary, path, namePointers, handles, handles.count,
                                                        keyPointers, valuePointers, keys.count))
                    }
                }
            }
        }
    }
}

/// Calls `body` with C strings for `strings`, valid for the duration of the call.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return try body(copies.map { UnsafePointer($0) })
}
