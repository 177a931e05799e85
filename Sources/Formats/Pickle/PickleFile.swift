import Foundation

/// A plain pickle file (no torch storages), read with the restricted machine.
public enum PickleFile {
    public static func load(_ path: String) throws -> PickleValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw FormatError.corrupt(path: path, reason: "missing or unreadable") }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String) throws -> PickleValue {
        try data.withUnsafeBytes { bytes in
            var machine = PickleMachine(bytes: bytes, persistentLoad: { _ in
                throw PickleMachine.Failure(offset: 0, reason: "a persistent id in a plain pickle")
            })
            do {
                return try machine.run()
            } catch let failure as PickleMachine.Failure {
                if let name = failure.disallowedGlobal { throw FormatError.disallowedGlobal(path: path, name: name) }
                throw FormatError.pickle(path: path, offset: failure.offset, reason: failure.reason)
            }
        }
    }
}
