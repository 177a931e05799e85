import Foundation

/// Why a Stable Diffusion component could not be loaded or run; each case names the path, key or value.
public enum DiffusionError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String, what: String)
    case unreadableConfig(path: String, reason: String)
    case unsupportedConfigValue(path: String, key: String, value: String, supported: String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .missingFile(path, what): return "\(what) not found: '\(path)'"
        case let .unreadableConfig(path, reason): return "cannot read config '\(path)': \(reason)"
        case let .unsupportedConfigValue(path, key, value, supported):
            return "'\(path)': \(key) = \(JSONConfig.summary(value)) is not supported (supported: \(supported))"
        case let .invalidInput(message): return message
        }
    }
}
