/// Why a StyleGAN2 checkpoint, code or input cannot be used; one line naming the key, shape or file.
public enum StyleGANError: Error, CustomStringConvertible, Equatable {
    case notAGenerator(source: String, reason: String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .notAGenerator(source, reason): return "\(source) is not a StyleGAN2 generator: \(reason)"
        case let .invalidInput(message): return message
        }
    }
}
