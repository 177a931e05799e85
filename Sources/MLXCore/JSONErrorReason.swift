import Foundation

/// One short line for why a JSON file could not be read, in place of Foundation's "The operation
/// could not be completed. The data is not in the correct format." or a DecodingError's dump.
public func jsonErrorReason(_ error: Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        return keys.isEmpty ? "the document" : keys.joined(separator: ".")
    }
    switch error {
    case let DecodingError.typeMismatch(type, context): return "\(path(context)) is not \(typeName(type))"
    case let DecodingError.valueNotFound(type, context): return "\(path(context)) is null, expected \(typeName(type))"
    case let DecodingError.keyNotFound(key, context):
        let parent = path(context)
        return "missing key '\(key.stringValue)'" + (parent == "the document" ? "" : " in \(parent)")
    case let DecodingError.dataCorrupted(context):
        if let underlying = context.underlyingError { return jsonErrorReason(underlying) }
        return "\(path(context)): \(context.debugDescription)"
    default:
        let error = error as NSError
        if let detail = error.userInfo[NSDebugDescriptionErrorKey] as? String, !detail.isEmpty {
            return "not valid JSON (\(detail.prefix(120)))"
        }
        return "not valid JSON"
    }
}

private func typeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is Bool.Type: return "true or false"
    case is Int.Type, is Int32.Type, is Int64.Type, is UInt64.Type, is UInt32.Type: return "an integer"
    case is Float.Type, is Double.Type: return "a number"
    default:
        let name = "\(type)"
        return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "an object" : "a \(name)"
    }
}
