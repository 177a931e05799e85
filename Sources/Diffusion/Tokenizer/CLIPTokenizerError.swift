import Foundation

/// Why a CLIP tokenizer folder could not be loaded; every case names the file at fault.
public enum CLIPTokenizerError: Error, CustomStringConvertible, Equatable {
    /// A required file (vocab.json, merges.txt) does not exist or cannot be read.
    case missingFile(path: String)
    /// A file exists but is not what the tokenizer expects (bad JSON, bad UTF-8, a bad merge line).
    case malformedFile(path: String, reason: String)
    /// A special token named by the configuration has no id in the vocabulary.
    case unknownSpecialToken(path: String, role: String, token: String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "CLIP tokenizer file not found: '\(path)'"
        case let .malformedFile(path, reason):
            return "malformed CLIP tokenizer file '\(path)': \(reason)"
        case let .unknownSpecialToken(path, role, token):
            return "'\(path)': \(role) '\(token)' is not in the vocabulary"
        }
    }
}
