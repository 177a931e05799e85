import MLXCore

/// Why a file from elsewhere (torch.save checkpoints, pickles) could not be read; one line naming
/// the file and what was wrong.
public enum FormatError: Error, CustomStringConvertible, Equatable {
    /// A malformed or hostile pickle: the byte offset and the problem.
    case pickle(path: String, offset: Int, reason: String)
    /// A pickle naming a global that is not allowed (which could run code).
    case disallowedGlobal(path: String, name: String)
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case let .pickle(path, offset, reason): return "\(path): malformed pickle at byte \(offset): \(MessageText.value(reason, limit: 160))"
        case let .disallowedGlobal(path, name):
            return "\(path): the pickle names the global '\(MessageText.value(name))', which is not allowed (only tensors, containers and plain values are read; nothing is executed)"
        case let .corrupt(path, reason): return "\(path): \(MessageText.value(reason, limit: 200))"
        }
    }
}
