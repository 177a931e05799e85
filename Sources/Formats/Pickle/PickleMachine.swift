import Foundation

/// A restricted pickle machine: it reads pickles of protocols 0–5 as PyTorch and Python write data,
/// and executes nothing. GLOBAL resolves only the allow-listed names (PickleGlobal); REDUCE, NEWOBJ
/// and BUILD are applied symbolically to those (a tensor description, a dict, an inert record).
/// Every length is checked against the bytes left before anything is allocated; stack, memo and
/// integer sizes are bounded. One machine runs one pickle (to its STOP) from `position`.
struct PickleMachine {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    /// Called for PERSID/BINPERSID: a torch storage from its persistent id.
    let persistentLoad: (PickleValue) throws -> PickleValue
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    static let maximumStack = 1 << 20
    static let maximumMemo = 1 << 22
    static let maximumLongBytes = 1024

    struct Failure: Error {
        let offset: Int
        let reason: String
        var disallowedGlobal: String?
    }

    init(bytes: UnsafeRawBufferPointer, position: Int = 0, persistentLoad: @escaping (PickleValue) throws -> PickleValue) {
        self.bytes = bytes
        self.position = position
        self.persistentLoad = persistentLoad
    }

    // MARK: reading

    private mutating func take(_ count: Int, at opcodeOffset: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= bytes.count - position else {
            throw Failure(offset: opcodeOffset, reason: "needs \(count) more bytes, \(bytes.count - position) left (truncated?)")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    private mutating func byte(at offset: Int) throws -> UInt8 { try take(1, at: offset)[0] }

    private mutating func littleEndian(_ count: Int, at offset: Int) throws -> UInt64 {
        let raw = try take(count, at: offset)
        var value: UInt64 = 0
        for (index, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        return value
    }

    private mutating func length(_ width: Int, at offset: Int) throws -> Int {
        let value = try littleEndian(width, at: offset)
        guard value <= UInt64(bytes.count - position) else {
            throw Failure(offset: offset, reason: "a length of \(value) bytes, only \(bytes.count - position) left")
        }
        return Int(value)
    }

    private mutating func line(at offset: Int) throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw Failure(offset: offset, reason: "unterminated text argument") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        position = end + 1
        return text
    }

    private mutating func text(_ count: Int, at offset: Int) throws -> String {
        guard let string = String(bytes: try take(count, at: offset), encoding: .utf8) else {
            throw Failure(offset: offset, reason: "a string that is not UTF-8")
        }
        return string
    }

    // MARK: the stack

    private mutating func push(_ value: PickleValue, at offset: Int) throws {
        guard stack.count < Self.maximumStack else { throw Failure(offset: offset, reason: "the stack grows beyond \(Self.maximumStack) entries") }
        stack.append(value)
    }

    private mutating func pop(at offset: Int) throws -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else { throw Failure(offset: offset, reason: "stack underflow") }
        return value
    }

    private mutating func popMark(at offset: Int) throws -> [PickleValue] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw Failure(offset: offset, reason: "no MARK to pop to") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func top(at offset: Int) throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else { throw Failure(offset: offset, reason: "stack underflow") }
        return value
    }

    private mutating func remember(_ index: Int, at offset: Int) throws {
        guard index >= 0, memo.count < Self.maximumMemo || memo[index] != nil else {
            throw Failure(offset: offset, reason: "the memo grows beyond \(Self.maximumMemo) entries")
        }
        memo[index] = try top(at: offset)
    }

    private mutating func recall(_ index: Int, at offset: Int) throws {
        guard let value = memo[index] else { throw Failure(offset: offset, reason: "memo entry \(index) was never stored") }
        try push(value, at: offset)
    }

    // MARK: running

    /// Runs to STOP and returns the pickled value.
    mutating func run() throws -> PickleValue {
        while true {
            let offset = position
            let opcode = try byte(at: offset)
            switch opcode {
            case 0x80: _ = try byte(at: offset)  // PROTO n
            case 0x95: _ = try take(8, at: offset)  // FRAME: frames are only a hint for buffering
            case 0x2E:  // STOP
                let value = try pop(at: offset)
                guard marks.isEmpty else { throw Failure(offset: offset, reason: "STOP inside a MARK") }
                return value
            case 0x28: marks.append(stack.count)  // MARK
            case 0x30: _ = try pop(at: offset)  // POP
            case 0x31: _ = try popMark(at: offset)  // POP_MARK
            case 0x32: try push(try top(at: offset), at: offset)  // DUP
            // Scalars.
            case 0x4E: try push(.none, at: offset)
            case 0x88: try push(.bool(true), at: offset)
            case 0x89: try push(.bool(false), at: offset)
            case 0x4A: try push(.int(Int64(Int32(bitPattern: UInt32(try littleEndian(4, at: offset))))), at: offset)  // BININT
            case 0x4B: try push(.int(Int64(try byte(at: offset))), at: offset)  // BININT1
            case 0x4D: try push(.int(Int64(try littleEndian(2, at: offset))), at: offset)  // BININT2
            case 0x8A: try push(try long(count: Int(try byte(at: offset)), at: offset), at: offset)  // LONG1
            case 0x8B:  // LONG4
                let count = try length(4, at: offset)
                guard count <= Self.maximumLongBytes else { throw Failure(offset: offset, reason: "a \(count)-byte integer") }
                try push(try long(count: count, at: offset), at: offset)
            case 0x49: try push(try decimalInteger(try line(at: offset), at: offset), at: offset)  // INT (and protocol-0 booleans)
            case 0x4C:  // LONG (decimal, trailing L)
                var text = try line(at: offset)
                if text.hasSuffix("L") { text.removeLast() }
                try push(try decimalInteger(text, at: offset), at: offset)
            case 0x47: try push(.float(Double(bitPattern: (try take(8, at: offset)).reduce(0) { $0 << 8 | UInt64($1) })), at: offset)  // BINFLOAT (big-endian)
            case 0x46:  // FLOAT (text)
                guard let value = Double(try line(at: offset)) else { throw Failure(offset: offset, reason: "a FLOAT that is not a number") }
                try push(.float(value), at: offset)
            // Strings and bytes.
            case 0x58: try push(.string(try text(try length(4, at: offset), at: offset)), at: offset)  // BINUNICODE
            case 0x8C: try push(.string(try text(Int(try byte(at: offset)), at: offset)), at: offset)  // SHORT_BINUNICODE
            case 0x8D: try push(.string(try text(try length(8, at: offset), at: offset)), at: offset)  // BINUNICODE8
            case 0x56: try push(.string(try rawUnicodeEscapeLine(at: offset)), at: offset)  // UNICODE
            case 0x54: try push(.string(String(decoding: try take(try length(4, at: offset), at: offset), as: UTF8.self)), at: offset)  // BINSTRING
            case 0x55: try push(.string(String(decoding: try take(Int(try byte(at: offset)), at: offset), as: UTF8.self)), at: offset)  // SHORT_BINSTRING
            case 0x53: try push(.string(try quotedString(try line(at: offset), at: offset)), at: offset)  // STRING
            case 0x42: try push(.bytes(Array(try take(try length(4, at: offset), at: offset))), at: offset)  // BINBYTES
            case 0x43: try push(.bytes(Array(try take(Int(try byte(at: offset)), at: offset))), at: offset)  // SHORT_BINBYTES
            case 0x8E, 0x96: try push(.bytes(Array(try take(try length(8, at: offset), at: offset))), at: offset)  // BINBYTES8, BYTEARRAY8
            // Containers.
            case 0x29: try push(.tuple([]), at: offset)
            case 0x85: try push(.tuple([try pop(at: offset)]), at: offset)
            case 0x86:
                let b = try pop(at: offset), a = try pop(at: offset)
                try push(.tuple([a, b]), at: offset)
            case 0x87:
                let c = try pop(at: offset), b = try pop(at: offset), a = try pop(at: offset)
                try push(.tuple([a, b, c]), at: offset)
            case 0x74: try push(.tuple(try popMark(at: offset)), at: offset)  // TUPLE
            case 0x5D: try push(.list(PickleList()), at: offset)  // EMPTY_LIST
            case 0x6C: try push(.list(PickleList(try popMark(at: offset))), at: offset)  // LIST
            case 0x61:  // APPEND
                let value = try pop(at: offset)
                guard case .list(let list) = try top(at: offset) else { throw Failure(offset: offset, reason: "APPEND to something that is not a list") }
                list.items.append(value)
            case 0x65:  // APPENDS
                let values = try popMark(at: offset)
                switch try top(at: offset) {
                case .list(let list): list.items += values
                case .set(let set): set.items += values
                default: throw Failure(offset: offset, reason: "APPENDS to something that is not a list")
                }
            case 0x7D: try push(.dict(PickleDict()), at: offset)  // EMPTY_DICT
            case 0x64: try push(.dict(PickleDict(try pairs(try popMark(at: offset), at: offset))), at: offset)  // DICT
            case 0x73:  // SETITEM
                let value = try pop(at: offset), key = try pop(at: offset)
                guard case .dict(let dict) = try top(at: offset) else { throw Failure(offset: offset, reason: "SETITEM on something that is not a dict") }
                dict.entries.append((key, value))
            case 0x75:  // SETITEMS
                let items = try pairs(try popMark(at: offset), at: offset)
                guard case .dict(let dict) = try top(at: offset) else { throw Failure(offset: offset, reason: "SETITEMS on something that is not a dict") }
                dict.entries += items
            case 0x8F: try push(.set(PickleSet()), at: offset)  // EMPTY_SET
            case 0x90:  // ADDITEMS
                let items = try popMark(at: offset)
                guard case .set(let set) = try top(at: offset) else { throw Failure(offset: offset, reason: "ADDITEMS on something that is not a set") }
                set.items += items
            case 0x91: try push(.set(PickleSet(try popMark(at: offset))), at: offset)  // FROZENSET
            // Memo.
            case 0x70: try remember(try decimal(try line(at: offset), at: offset), at: offset)  // PUT
            case 0x71: try remember(Int(try byte(at: offset)), at: offset)  // BINPUT
            case 0x72: try remember(Int(try littleEndian(4, at: offset)), at: offset)  // LONG_BINPUT
            case 0x94: try remember(memo.count, at: offset)  // MEMOIZE
            case 0x67: try recall(try decimal(try line(at: offset), at: offset), at: offset)  // GET
            case 0x68: try recall(Int(try byte(at: offset)), at: offset)  // BINGET
            case 0x6A: try recall(Int(try littleEndian(4, at: offset)), at: offset)  // LONG_BINGET
            // Globals and calls, symbolically.
            case 0x63:  // GLOBAL module\nname\n
                let module = try line(at: offset), name = try line(at: offset)
                try push(try global(module: module, name: name, at: offset), at: offset)
            case 0x93:  // STACK_GLOBAL
                let name = try pop(at: offset), module = try pop(at: offset)
                guard let m = module.stringValue, let n = name.stringValue else { throw Failure(offset: offset, reason: "STACK_GLOBAL needs two strings") }
                try push(try global(module: m, name: n, at: offset), at: offset)
            case 0x52:  // REDUCE
                let arguments = try pop(at: offset), callable = try pop(at: offset)
                try push(try PickleCalls.call(callable, arguments: arguments, at: offset), at: offset)
            case 0x81:  // NEWOBJ
                let arguments = try pop(at: offset), cls = try pop(at: offset)
                try push(try PickleCalls.call(cls, arguments: arguments, at: offset), at: offset)
            case 0x92:  // NEWOBJ_EX
                _ = try pop(at: offset)
                let arguments = try pop(at: offset), cls = try pop(at: offset)
                try push(try PickleCalls.call(cls, arguments: arguments, at: offset), at: offset)
            case 0x62:  // BUILD
                let state = try pop(at: offset)
                try PickleCalls.build(try top(at: offset), state: state, at: offset)
            case 0x51:  // BINPERSID
                try push(try persistentLoad(try pop(at: offset)), at: offset)
            case 0x50:  // PERSID
                try push(try persistentLoad(.string(try line(at: offset))), at: offset)
            case 0x69, 0x6F:  // INST, OBJ: instantiate a class by name or from the stack — refused
                throw Failure(offset: offset, reason: "INST/OBJ instantiate classes; this reader builds no objects")
            case 0x82, 0x83, 0x84:
                throw Failure(offset: offset, reason: "EXT opcodes name globals through the copyreg registry, which is not read")
            case 0x97, 0x98:
                throw Failure(offset: offset, reason: "out-of-band buffers (protocol 5) are not read")
            default:
                throw Failure(offset: offset, reason: String(format: "unknown opcode 0x%02x", opcode))
            }
        }
    }

    /// Protocol 0's UNICODE argument in Python's raw-unicode-escape: bytes are Latin-1 code points,
    /// except \uXXXX and \UXXXXXXXX escapes.
    private mutating func rawUnicodeEscapeLine(at offset: Int) throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw Failure(offset: offset, reason: "unterminated text argument") }
        let raw = Array(bytes[position..<end])
        position = end + 1
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < raw.count {
            if raw[index] == 0x5C, index + 1 < raw.count, raw[index + 1] == 0x75 || raw[index + 1] == 0x55 {
                let digits = raw[index + 1] == 0x75 ? 4 : 8
                guard index + 2 + digits <= raw.count, let code = UInt32(String(decoding: raw[(index + 2)..<(index + 2 + digits)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(code) else {
                    throw Failure(offset: offset, reason: "a malformed \\u escape")
                }
                scalars.append(scalar)
                index += 2 + digits
            } else {
                scalars.append(Unicode.Scalar(raw[index]))
                index += 1
            }
        }
        return String(scalars)
    }

    private func global(module: String, name: String, at offset: Int) throws -> PickleValue {
        guard let global = PickleGlobal.resolve(module: module, name: name) else {
            throw Failure(offset: offset, reason: "disallowed global", disallowedGlobal: "\(module).\(name)")
        }
        if case .dtype(let dtype) = global { return .dtype(dtype) }
        return .global(global)
    }

    private func pairs(_ items: [PickleValue], at offset: Int) throws -> [(key: PickleValue, value: PickleValue)] {
        guard items.count % 2 == 0 else { throw Failure(offset: offset, reason: "an odd number of dict items") }
        return stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
    }

    /// A little-endian two's-complement integer of `count` bytes (LONG1/LONG4).
    private mutating func long(count: Int, at offset: Int) throws -> PickleValue {
        let raw = Array(try take(count, at: offset))
        guard !raw.isEmpty else { return .int(0) }
        guard raw.count <= 8 else { return .bigInt(raw) }
        var value: UInt64 = 0
        for (index, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        if raw.count < 8, raw.last! & 0x80 != 0 { value |= UInt64.max << (8 * UInt64(raw.count)) }  // sign-extend
        return .int(Int64(bitPattern: value))
    }

    private func decimal(_ text: String, at offset: Int) throws -> Int {
        guard let value = Int(text), value >= 0 else { throw Failure(offset: offset, reason: "'\(text.prefix(20))' is not a memo index") }
        return value
    }

    private func decimalInteger(_ text: String, at offset: Int) throws -> PickleValue {
        if text == "01" { return .bool(true) }
        if text == "00" { return .bool(false) }
        guard let value = Int64(text) else {
            guard text.count < 400, text.allSatisfy({ $0.isNumber || $0 == "-" }) else {
                throw Failure(offset: offset, reason: "'\(text.prefix(20))' is not an integer")
            }
            return .bigInt(Array(text.utf8))
        }
        return .int(value)
    }

    /// Protocol 0's STRING: a quoted Python literal ('…' or "…"); escapes other than \\ \' \" kept as written.
    private func quotedString(_ text: String, at offset: Int) throws -> String {
        guard text.count >= 2, let first = text.first, first == text.last, first == "'" || first == "\"" else {
            throw Failure(offset: offset, reason: "STRING needs a quoted argument")
        }
        return String(text.dropFirst().dropLast())
            .replacingOccurrences(of: "\\\\", with: "\\").replacingOccurrences(of: "\\'", with: "'").replacingOccurrences(of: "\\\"", with: "\"")
    }
}
