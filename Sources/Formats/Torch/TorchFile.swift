import Foundation
import MLXCore

/// A PyTorch `torch.save` file read without Python: the zip format (PyTorch ≥ 1.6: ROOT/data.pkl,
/// ROOT/data/KEY, ROOT/byteorder) or the legacy format (five consecutive pickles — magic number,
/// protocol, system info, the object, the storage keys — then each storage's bytes after its
/// 8-byte element count). The object is read with the restricted pickle machine; tensors become
/// arrays only when asked for, so optimiser state or unused entries cost nothing.
public final class TorchFile {
    public let path: String
    public let root: PickleValue
    private let storages: TorchStorages

    static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]  // 0x1950a86a20f9469cfc6c, little-endian

    private init(path: String, root: PickleValue, storages: TorchStorages) {
        self.path = path
        self.root = root
        self.storages = storages
    }

    /// Reads `path`: a zip archive (PK\x03\x04) or a legacy pickle stream.
    public static func load(_ path: String) throws -> TorchFile {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FormatError.corrupt(path: path, reason: "missing or unreadable") }
        let head = try handle.read(upToCount: 4) ?? Data()
        try? handle.close()
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try loadZip(path) }
        guard head.first == 0x80 else {
            throw FormatError.corrupt(path: path, reason: head.isEmpty ? "the file is empty" : "not a torch.save file (neither a zip archive nor a pickle)")
        }
        return try loadLegacy(path)
    }

    private static func loadZip(_ path: String) throws -> TorchFile {
        let archive = try ZipArchive(path: path)
        let pickles = archive.names.filter { $0.hasSuffix("/data.pkl") && $0.split(separator: "/").count == 2 }
        guard pickles.count == 1, let pickle = pickles.first else {
            throw FormatError.corrupt(path: path, reason: "a zip archive without exactly one ROOT/data.pkl (not a torch.save file)")
        }
        let root = String(pickle.dropLast("data.pkl".count))
        var littleEndian = true
        if archive.contains(root + "byteorder") {
            let order = String(decoding: try archive.read(root + "byteorder"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard order == "little" || order == "big" else { throw FormatError.corrupt(path: path, reason: "byteorder '\(order.prefix(20))'") }
            littleEndian = order == "little"
        }
        let storages = TorchStorages(path: path, littleEndian: littleEndian, source: .zip(archive, root: root + "data/"))
        let data = try archive.read(pickle)
        let value = try data.withUnsafeBytes { bytes in
            try run(PickleMachine(bytes: bytes, persistentLoad: { try storages.reference(fromPersistentID: $0, legacy: false) }), path: path)
        }
        return TorchFile(path: path, root: value, storages: storages)
    }

    private static func loadLegacy(_ path: String) throws -> TorchFile {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        let storages = TorchStorages(path: path, littleEndian: true, source: .legacy(data))
        let (value, end) = try data.withUnsafeBytes { bytes -> (PickleValue, Int) in
            var position = 0
            func next(persistent: Bool) throws -> PickleValue {
                var machine = PickleMachine(bytes: bytes, position: position, persistentLoad: { id in
                    guard persistent else { throw PickleMachine.Failure(offset: position, reason: "a persistent id outside the object pickle") }
                    return try storages.reference(fromPersistentID: id, legacy: true)
                })
                let value = try run(&machine, path: path)
                position = machine.position
                return value
            }
            guard case .bigInt(let magic) = try next(persistent: false), magic == legacyMagic else {
                throw FormatError.corrupt(path: path, reason: "no legacy torch.save magic number")
            }
            guard case .int(1001) = try next(persistent: false) else { throw FormatError.corrupt(path: path, reason: "legacy protocol is not 1001") }
            let systemInfo = try next(persistent: false)
            if case .bool(false)? = systemInfo["little_endian"] { storages.littleEndian = false }
            let object = try next(persistent: true)
            guard let keys = try next(persistent: false).sequence?.compactMap(\.stringValue) else {
                throw FormatError.corrupt(path: path, reason: "no storage key list after the object")
            }
            storages.legacyKeys = keys
            return (object, position)
        }
        try storages.indexLegacyStorages(from: end)
        return TorchFile(path: path, root: value, storages: storages)
    }

    private static func run(_ machine: PickleMachine, path: String) throws -> PickleValue {
        var machine = machine
        return try run(&machine, path: path)
    }

    private static func run(_ machine: inout PickleMachine, path: String) throws -> PickleValue {
        do {
            return try machine.run()
        } catch let failure as PickleMachine.Failure {
            if let name = failure.disallowedGlobal { throw FormatError.disallowedGlobal(path: path, name: name) }
            throw FormatError.pickle(path: path, offset: failure.offset, reason: failure.reason)
        }
    }

    /// The value under a path of string keys (dicts, and inert objects' state).
    public func value(at keys: [String]) -> PickleValue? {
        keys.reduce(Optional(root)) { value, key in value?[key] }
    }

    /// The tensor as an array of its dtype.
    public func array(_ tensor: TorchTensorReference) throws -> MLXArray {
        try storages.array(tensor)
    }

    /// Every tensor under `value` (dicts nested in dicts; OrderedDicts are dicts), keyed by their
    /// dotted paths; other leaves (numbers, records) are skipped.
    public func stateDict(_ value: PickleValue? = nil, prefix: String = "") throws -> [String: MLXArray] {
        var result: [String: MLXArray] = [:]
        func visit(_ value: PickleValue, _ prefix: String) throws {
            switch value {
            case .tensor(let tensor): result[prefix] = try array(tensor)
            case .dict(let dict):
                for (key, child) in dict.entries {
                    guard let name = key.stringValue ?? key.intValue.map({ "\($0)" }) else { continue }
                    try visit(child, prefix.isEmpty ? name : "\(prefix).\(name)")
                }
            default: break
            }
        }
        try visit(value ?? root, prefix)
        return result
    }

    /// Names, dtypes and shapes of every tensor under `value`, without reading their bytes.
    public func tensorDescriptions(_ value: PickleValue? = nil) -> [(key: String, dtype: DType, shape: [Int])] {
        var result: [(String, DType, [Int])] = []
        func visit(_ value: PickleValue, _ prefix: String) {
            switch value {
            case .tensor(let tensor): result.append((prefix, tensor.dtype, tensor.shape))
            case .dict(let dict):
                for (key, child) in dict.entries {
                    guard let name = key.stringValue ?? key.intValue.map({ "\($0)" }) else { continue }
                    visit(child, prefix.isEmpty ? name : "\(prefix).\(name)")
                }
            case .object(let object): if let state = object.state { visit(state, prefix) }
            default: break
            }
        }
        visit(value ?? root, "")
        return result.sorted { $0.0 < $1.0 }
    }
}
