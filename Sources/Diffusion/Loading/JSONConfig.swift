import Foundation
import MLXCore

/// A component's `config.json`, read as diffusers reads it: values as given, missing keys take the
/// caller's default (diffusers' own default for that key), keys starting with "_" are bookkeeping.
/// Keys the component does not know are reported once through `JSONConfig.warn`.
public struct JSONConfig {
    public let path: String
    public let values: [String: Any]

    /// Where warnings about ignored keys go (stderr by default; tests may capture them).
    nonisolated(unsafe) public static var warn: (String) -> Void = { message in
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DiffusionError.missingFile(path: path, what: "config file")
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw DiffusionError.unreadableConfig(path: path, reason: "not a JSON object")
            }
            self.init(path: path, values: object)
        } catch let error as DiffusionError {
            throw error
        } catch {
            throw DiffusionError.unreadableConfig(path: path, reason: jsonErrorReason(error))
        }
    }

    public init(path: String, values: [String: Any]) {
        self.path = path
        self.values = values
    }

    /// Warns about keys outside `known` (diffusers ignores them too).
    public func warnAboutUnknownKeys(_ known: Set<String>) {
        let unknown = values.keys.filter { !$0.hasPrefix("_") && !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            JSONConfig.warn("\(path): ignoring unknown config key\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", "))")
        }
    }

    private func isMissing(_ key: String) -> Bool {
        values[key] == nil || values[key] is NSNull
    }

    /// JSON true/false. (On Linux `NSNumber(1) is Bool` holds too, so the number's type is checked.)
    private static func isBoolean(_ value: Any?) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    /// A value as `require` compares it: strings as is, booleans as true/false, whole numbers without ".0".
    private static func canonical(_ value: Any) -> String {
        if let text = value as? String { return text }
        if isBoolean(value), let flag = value as? Bool { return flag ? "true" : "false" }
        if let number = value as? NSNumber {
            let double = number.doubleValue
            return double == double.rounded() && abs(double) < 1e15 ? "\(Int(double))" : "\(double)"
        }
        if let list = value as? [Any] { return "a list of \(list.count)" }
        if let object = value as? [String: Any] { return "an object of \(object.count) keys" }
        return "\(value)"
    }

    /// A value for a message: at most 60 characters (a hostile config can hold megabytes in one key).
    static func summary(_ text: String) -> String { MessageText.value(text) }

    private func typeError(_ key: String, _ expected: String) -> DiffusionError {
        .unsupportedConfigValue(path: path, key: key, value: JSONConfig.summary(JSONConfig.canonical(values[key]!)), supported: expected)
    }

    private func rangeError(_ key: String, _ value: String, _ range: ClosedRange<Int>) -> DiffusionError {
        .unsupportedConfigValue(path: path, key: key, value: JSONConfig.summary(value), supported: "an integer in \(range.lowerBound)...\(range.upperBound)")
    }

    /// A whole number that fits an Int exactly (JSON numbers arrive as doubles or 64-bit integers;
    /// 1e30 or 32.5 must not be truncated or trap in a conversion).
    private static func exactInteger(_ value: Any?) -> Int? {
        guard let number = value as? NSNumber, !isBoolean(value) else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double == double.rounded(), abs(double) <= 9.0e15 else { return nil }
        return Int(exactly: double)
    }

    /// Configs say how large a model is; `range` bounds what we are willing to build (sizes a real
    /// model uses, with room to spare), so arithmetic on them can neither trap nor allocate without bound.
    public func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        if isMissing(key) { return value }
        guard let integer = JSONConfig.exactInteger(values[key]) else { throw typeError(key, "an integer") }
        guard range.contains(integer) else { throw rangeError(key, "\(integer)", range) }
        return integer
    }

    public func double(_ key: String, default value: Double) throws -> Double {
        if isMissing(key) { return value }
        if let number = values[key] as? NSNumber, !JSONConfig.isBoolean(values[key]) { return number.doubleValue }
        throw typeError(key, "a number")
    }

    public func bool(_ key: String, default value: Bool) throws -> Bool {
        if isMissing(key) { return value }
        if JSONConfig.isBoolean(values[key]), let flag = values[key] as? Bool { return flag }
        throw typeError(key, "true or false")
    }

    public func string(_ key: String, default value: String) throws -> String {
        if isMissing(key) { return value }
        if let text = values[key] as? String { return text }
        throw typeError(key, "a string")
    }

    public func optionalString(_ key: String) throws -> String? {
        if isMissing(key) { return nil }
        if let text = values[key] as? String { return text }
        throw typeError(key, "a string or null")
    }

    public func strings(_ key: String, default value: [String]) throws -> [String] {
        if isMissing(key) { return value }
        if let list = values[key] as? [String] { return list }
        throw typeError(key, "a list of strings")
    }

    /// A list of `count` integers (`count`: how many entries a model can have), each in `range`.
    public func ints(_ key: String, default value: [Int], count: ClosedRange<Int>, in range: ClosedRange<Int>) throws -> [Int] {
        if isMissing(key) { return value }
        guard let list = values[key] as? [Any] else { throw typeError(key, "a list of integers") }
        guard count.contains(list.count) else {
            throw DiffusionError.unsupportedConfigValue(path: path, key: key, value: "a list of \(list.count)",
                                                        supported: "a list of \(count.lowerBound)...\(count.upperBound) integers")
        }
        return try list.map { item in
            guard let integer = JSONConfig.exactInteger(item) else { throw typeError(key, "a list of integers") }
            guard range.contains(integer) else { throw rangeError(key, "\(integer)", range) }
            return integer
        }
    }

    /// An integer applied to every block, or one integer per block (diffusers accepts both), each in `range`.
    public func intPerBlock(_ key: String, blocks: Int, default value: Int?, in range: ClosedRange<Int>) throws -> [Int]? {
        if isMissing(key) { return value.map { Array(repeating: $0, count: blocks) } }
        if values[key] is [Any] { return try ints(key, default: [], count: blocks...blocks, in: range) }
        return Array(repeating: try int(key, default: 0, in: range), count: blocks)
    }

    /// Fails unless the key is missing or equals one of `allowed` (an unsupported model variant).
    public func require(_ key: String, in allowed: [String?]) throws {
        let value = isMissing(key) ? nil : JSONConfig.canonical(values[key]!)
        if !allowed.contains(value) {
            throw DiffusionError.unsupportedConfigValue(
                path: path, key: key, value: value.map(JSONConfig.summary) ?? "null", supported: allowed.map { $0 ?? "null" }.joined(separator: ", "))
        }
    }
}
