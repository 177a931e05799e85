// A strict JSON reader for headers of files we do not trust (safetensors).
//
// Why not Foundation's JSONSerialization or MLX's nlohmann::json: both keep the last of two equal
// keys without a word (a second tensor of the same name would silently replace the first), and both
// turn integers beyond 64 bits into doubles (a dimension of 2^70 comes back as some other number).
// Here every key is handed over in order, duplicates included, for the caller to refuse with a
// message naming the key; an integer is kept exactly or not at all (`otherNumber`, with its text).
//
// One pass, one byte at a time, never looking back: time is linear in the input. Nesting is
// bounded by `maximumDepth`, so hostile nesting ([[[[...]]]]) ends in an error, not a stack overflow.
// The caller pulls what it expects (`readMembers`, `readElements`) instead of receiving a tree, so
// a header of 400,000 tensors is checked as it is read, without building 400,000 small objects.

/// One JSON value. Objects keep their keys in document order, duplicates included.
enum StrictJSON {
    case object([(key: String, value: StrictJSON)])
    case array([StrictJSON])
    case string(String)
    /// An integer that fits in `Int` exactly.
    case integer(Int)
    /// Any other number (fraction, exponent, or an integer too large for `Int`), as written.
    case otherNumber(String)
    case bool(Bool)
    case null

    /// "an object", "a string", ...: what a value is, for "found …, expected …" messages.
    var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .integer, .otherNumber: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// Where and why the text is not JSON. `offset` counts bytes from the start of the parsed text.
struct StrictJSONSyntaxError: Error, CustomStringConvertible {
    let offset: Int
    let found: String
    let expected: String
    var description: String { "found \(found) at byte \(offset), expected \(expected)" }
}

/// Reads one JSON text front to back. `current` is 0 at the end: NUL is never valid JSON outside a
/// string nor raw inside one, so every check that refuses the end refuses NUL too, and `unexpected`
/// tells the two apart for the message.
struct StrictJSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let count: Int
    private let maximumDepth: Int
    private var depth = 0
    private(set) var position = 0

    /// `bytes` must already be valid UTF-8: string contents are decoded without a second check.
    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.count = bytes.count
        self.maximumDepth = maximumDepth
        skipWhitespace()
    }

    private var current: UInt8 { position < count ? bytes[position] : 0 }

    /// Whether the next value is an object (or an array), to be read with `readMembers` (`readElements`).
    var atObject: Bool { current == UInt8(ascii: "{") }
    var atArray: Bool { current == UInt8(ascii: "[") }

    /// Only whitespace is left (safetensors writers pad headers with trailing spaces).
    mutating func expectEnd() throws {
        skipWhitespace()
        if position < count { throw unexpected("the end of the text") }
    }

    /// The object that comes next, each member handed to `body` in document order; `body` must read
    /// the member's value from the reader it is given.
    mutating func readMembers(_ body: (String, inout StrictJSONReader) throws -> Void) throws {
        try enter(UInt8(ascii: "{"), "an object")
        defer { depth -= 1 }
        if current == UInt8(ascii: "}") { position += 1; skipWhitespace(); return }
        while true {
            guard current == UInt8(ascii: "\"") else { throw unexpected("a key in double quotes") }
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':'")
            try body(key, &self)
            if current == UInt8(ascii: ",") { position += 1; skipWhitespace(); continue }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return
        }
    }

    /// The array that comes next, each element handed to `body` with its index; `body` must read it.
    mutating func readElements(_ body: (Int, inout StrictJSONReader) throws -> Void) throws {
        try enter(UInt8(ascii: "["), "an array")
        defer { depth -= 1 }
        if current == UInt8(ascii: "]") { position += 1; skipWhitespace(); return }
        var index = 0
        while true {
            try body(index, &self)
            index += 1
            if current == UInt8(ascii: ",") { position += 1; skipWhitespace(); continue }
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return
        }
    }

    /// The value that comes next, whatever it is, built in full.
    mutating func readValue() throws -> StrictJSON {
        let value: StrictJSON
        switch current {
        case UInt8(ascii: "{"):
            var members: [(key: String, value: StrictJSON)] = []
            try readMembers { members.append(($0, try $1.readValue())) }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [StrictJSON] = []
            try readElements { elements.append(try $1.readValue()) }
            return .array(elements)
        case UInt8(ascii: "\""): value = .string(try readString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = try readNumber()
        case UInt8(ascii: "t"): try readLiteral("true"); value = .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); value = .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); value = .null
        default: throw unexpected("a JSON value")
        }
        skipWhitespace()
        return value
    }

    // MARK: Tokens. Each reader leaves `position` after the token and the whitespace that follows it.

    /// An error at the current position showing what is there (one byte at most).
    private func unexpected(_ expected: String) -> StrictJSONSyntaxError {
        guard position < count else {
            return StrictJSONSyntaxError(offset: position, found: "the end of the text", expected: expected)
        }
        let byte = bytes[position]
        let shown = (0x21...0x7e).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return StrictJSONSyntaxError(offset: position, found: shown, expected: expected)
    }

    private mutating func skipWhitespace() {
        while position < count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 else { return }
            position += 1
        }
    }

    // Names are StaticStrings: no message is built unless it is needed.
    private mutating func expect(_ byte: UInt8, _ name: StaticString) throws {
        guard current == byte else { throw unexpected("\(name)") }
        position += 1
        skipWhitespace()
    }

    /// Steps into an object or array, refusing nesting past `maximumDepth`.
    private mutating func enter(_ opening: UInt8, _ name: StaticString) throws {
        guard current == opening else { throw unexpected("\(name)") }
        guard depth < maximumDepth else {
            throw StrictJSONSyntaxError(offset: position, found: "nesting deeper than \(maximumDepth) levels",
                                        expected: "at most \(maximumDepth)")
        }
        depth += 1
        position += 1
        skipWhitespace()
    }

    private mutating func readLiteral(_ word: StaticString) throws {
        let start = position
        for byte in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard current == byte else { position = start; throw unexpected("a JSON value") }
            position += 1
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? — integers are accumulated with overflow checks.
    private mutating func readNumber() throws -> StrictJSON {
        let start = position
        let negative = current == UInt8(ascii: "-")
        if negative { position += 1 }
        guard isDigit(current) else { throw unexpected("a digit") }
        var magnitude = 0
        var fitsInInt = true
        if current == UInt8(ascii: "0") {
            position += 1
            if isDigit(current) { throw unexpected("no leading zero") }
        } else {
            while position < count, isDigit(bytes[position]) {
                if fitsInInt {
                    let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = times10.addingReportingOverflow(Int(bytes[position] - UInt8(ascii: "0")))
                    if overflow1 || overflow2 { fitsInInt = false } else { magnitude = sum }
                }
                position += 1
            }
        }
        var integral = fitsInInt
        if current == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard isDigit(current) else { throw unexpected("a digit after '.'") }
            while isDigit(current) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard isDigit(current) else { throw unexpected("a digit in the exponent") }
            while isDigit(current) { position += 1 }
        }
        // Int.min's magnitude does not fit in Int; it is reported as `otherNumber`, which no caller needs.
        if integral { return .integer(negative ? -magnitude : magnitude) }
        return .otherNumber(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    /// A string with every JSON escape, \uXXXX surrogate pairs included; raw control characters
    /// and lone surrogates are errors.
    private mutating func readString() throws -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes, the bytes between the quotes are the string.
        while position < count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw unexpected("no raw control character inside a string") }
            position += 1
        }
        guard position < count else { throw unexpected("a closing '\"'") }
        let plain = UnsafeBufferPointer(rebasing: bytes[start..<position])
        if bytes[position] == UInt8(ascii: "\"") {
            position += 1
            skipWhitespace()
            return String(decoding: plain, as: UTF8.self)
        }
        var decoded = Array(plain)
        while true {
            guard position < count else { throw unexpected("a closing '\"'") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                skipWhitespace()
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                try appendEscape(to: &decoded)
            case 0..<0x20:
                throw unexpected("no raw control character inside a string")
            default:
                decoded.append(byte)
                position += 1
            }
        }
    }

    private mutating func appendEscape(to decoded: inout [UInt8]) throws {
        let letter = current
        position += 1
        let simple: UInt8?
        switch letter {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5c
        case UInt8(ascii: "/"): simple = 0x2f
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0c
        case UInt8(ascii: "n"): simple = 0x0a
        case UInt8(ascii: "r"): simple = 0x0d
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default:
            position -= 1
            throw unexpected("one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u")
        }
        if let simple { decoded.append(simple); return }
        var code = try parseHex4()
        if (0xDC00...0xDFFF).contains(code) {
            throw StrictJSONSyntaxError(offset: position - 6, found: "a lone low surrogate \\u\(String(code, radix: 16))",
                                        expected: "a high surrogate before it")
        }
        if (0xD800...0xDBFF).contains(code) {
            guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                throw unexpected("a \\u low surrogate after the high surrogate \\u\(String(code, radix: 16))")
            }
            position += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw StrictJSONSyntaxError(offset: position - 6, found: "\\u\(String(low, radix: 16))",
                                            expected: "a low surrogate (\\udc00 to \\udfff)")
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        // Surrogates are handled above, so every remaining code is a scalar.
        decoded.append(contentsOf: Array(String(Character(Unicode.Scalar(code)!)).utf8))
    }

    private mutating func parseHex4() throws -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = current
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw unexpected("four hex digits after \\u")
            }
            code = code << 4 | UInt32(digit)
            position += 1
        }
        return code
    }
}
