// The format's rules for a safetensors header's contents, applied while the JSON is read (one pass)
// plus one sort of the byte ranges (n log n): a header of 400,000 tensors is checked in a moment.

extension SafetensorsHeader {
    /// Checks `bytes` (the header, without its 8-byte length) against a data section of `dataSize`
    /// bytes. `path` is only for messages.
    init(parsing bytes: UnsafeBufferPointer<UInt8>, dataSize: Int, path: String) throws {
        let fail = { (found: String, expected: String) in Self.problem(path, found, expected: expected) }
        guard !bytes.isEmpty else { throw fail("an empty header (header length 0)", "a JSON object") }
        // Checked once for the whole header, so the reader can decode strings without a second check.
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw fail("a header that is not UTF-8", "UTF-8 JSON")
        }
        // A tensor entry takes at least about 50 bytes, which bounds the count: room is made once.
        let mostTensors = bytes.count / 50
        var tensors: [Tensor] = []
        tensors.reserveCapacity(mostTensors)
        var names = Set<String>(minimumCapacity: mostTensors)
        var metadata: [String: String]?
        var reader = StrictJSONReader(bytes: bytes, maximumDepth: Self.maximumNesting)
        do {
            guard reader.atObject else {
                throw fail("a header that is \(try reader.readValue().kindDescription)", "a JSON object")
            }
            try reader.readMembers { key, reader in
                if key == "__metadata__" {
                    guard metadata == nil else { throw fail("__metadata__ twice in the header", "at most once") }
                    metadata = try Self.metadata(try reader.readValue(), fail: fail)
                    return
                }
                guard names.insert(key).inserted else {
                    throw fail("tensor \(Self.shown(key)) twice in the header", "each name once")
                }
                // Names cross into C as C strings: "a\u0000b" would come back as "a".
                guard !key.utf8.contains(0) else {
                    throw fail("tensor \(Self.shown(key)) with a NUL character in its name", "names without NUL")
                }
                tensors.append(try Self.tensor(key, &reader, dataSize: dataSize, fail: fail))
            }
            try reader.expectEnd()
        } catch let error as StrictJSONSyntaxError {
            throw fail("a header that is not JSON: \(error.found) at header byte \(error.offset)", error.expected)
        }
        try Self.checkCoverage(tensors, dataSize: dataSize, fail: fail)
        self.init(tensors: tensors, metadata: metadata ?? [:], dataStart: 8 + bytes.count, dataSize: dataSize)
    }

    private typealias Failure = (_ found: String, _ expected: String) -> MLXError

    /// "__metadata__": an object of string → string, or null — MLX's writer puts null there when
    /// there is no metadata, and the Rust reference (an Option) reads null as none.
    private static func metadata(_ value: StrictJSON, fail: Failure) throws -> [String: String] {
        if case .null = value { return [:] }
        guard case .object(let members) = value else {
            throw fail("__metadata__ that is \(shown(value))", "an object of strings (or null)")
        }
        var metadata: [String: String] = [:]
        for (key, entry) in members {
            guard case .string(let text) = entry else {
                throw fail("__metadata__ entry \(shown(key)) that is \(shown(entry))", "a string")
            }
            guard !key.utf8.contains(0), !text.utf8.contains(0) else {
                throw fail("__metadata__ entry \(shown(key)) with a NUL character", "text without NUL (it crosses into C)")
            }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw fail("__metadata__ entry \(shown(key)) twice", "each key once")
            }
        }
        return metadata
    }

    private static let tensorKeys = "exactly dtype, shape and data_offsets"
    private static let loadableDTypeNames = loadableDTypes.map(\.name).joined(separator: ", ")
    private static let loadableDTypeByName = Dictionary(uniqueKeysWithValues: loadableDTypes.map { ($0.name, $0.dtype) })

    /// One tensor entry, read from `reader`: exactly dtype, shape and data_offsets, consistent with
    /// each other and with the data.
    private static func tensor(_ name: String, _ reader: inout StrictJSONReader, dataSize: Int,
                               fail: Failure) throws -> Tensor {
        // The name is escaped and cut only when there is something to say about it.
        func refuse(_ found: String, _ expected: String) -> MLXError { fail("tensor \(shown(name)) \(found)", expected) }
        guard reader.atObject else {
            throw refuse("that is \(shown(try reader.readValue()))", "an object with \(tensorKeys)")
        }
        var dtypeEntry: (name: String, dtype: DType)?
        var shape: [Int]?
        var offsets: (begin: Int, end: Int)?
        try reader.readMembers { key, reader in
            switch key {
            case "dtype" where dtypeEntry == nil: dtypeEntry = try dtypeOf(&reader, refuse)
            case "shape" where shape == nil: shape = try shapeOf(&reader, refuse)
            case "data_offsets" where offsets == nil: offsets = try offsetsOf(&reader, dataSize: dataSize, refuse)
            case "dtype", "shape", "data_offsets": throw refuse("with \(key) twice", "each key once")
            default: throw refuse("with the key \(shown(key))", tensorKeys)
            }
        }
        guard let (dtypeName, dtype) = dtypeEntry, let shape, let (begin, end) = offsets else {
            let missing = [("dtype", dtypeEntry == nil), ("shape", shape == nil), ("data_offsets", offsets == nil)]
                .filter(\.1).map(\.0).joined(separator: " and ")
            throw refuse("without \(missing)", tensorKeys)
        }

        // Checked arithmetic: a shape whose size wraps past 2^63 would otherwise pass as a small one.
        var byteCount = dtype.size
        for size in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw refuse("with shape \(shown(shape: shape)) of \(dtypeName), over 2^63 bytes",
                             "a size that fits in 64 bits")
            }
            byteCount = product
        }
        guard end - begin == byteCount else {
            throw refuse("with data_offsets [\(begin), \(end)] (\(end - begin) bytes)",
                         "\(byteCount) bytes for shape \(shown(shape: shape)) of \(dtypeName)")
        }
        guard end <= dataSize else {
            throw refuse("truncated: it ends at data byte \(end), but the data holds \(dataSize) bytes",
                         "a complete file")
        }
        return Tensor(name: name, dtypeName: dtypeName, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// "dtype": a name MLX's reader accepts.
    private static func dtypeOf(_ reader: inout StrictJSONReader, _ refuse: Failure) throws -> (name: String, dtype: DType) {
        let value = try reader.readValue()
        guard case .string(let name) = value else {
            throw refuse("with dtype \(shown(value))", "one of \(loadableDTypeNames)")
        }
        guard let dtype = loadableDTypeByName[name] else {
            throw refuse("with dtype \(shown(name))", "one MLX loads: \(loadableDTypeNames)")
        }
        return (name, dtype)
    }

    /// "shape": integers from 0 to Int32.max — MLX keeps dimensions as int32, so a larger one would
    /// be read modulo 2^32.
    private static func shapeOf(_ reader: inout StrictJSONReader, _ refuse: Failure) throws -> [Int] {
        guard reader.atArray else {
            throw refuse("with shape \(shown(try reader.readValue()))", "an array of integers")
        }
        var shape: [Int] = []
        try reader.readElements { index, reader in
            let dimension = try reader.readValue()
            guard case .integer(let size) = dimension, size >= 0, size <= Int(Int32.max) else {
                throw refuse("with shape dimension \(shown(dimension)) at index \(index)", "an integer from 0 to \(Int32.max)")
            }
            shape.append(size)
        }
        return shape
    }

    /// "data_offsets": [begin, end] with 0 ≤ begin ≤ end.
    private static func offsetsOf(_ reader: inout StrictJSONReader, dataSize: Int,
                                  _ refuse: Failure) throws -> (begin: Int, end: Int) {
        guard reader.atArray else {
            throw refuse("with data_offsets \(shown(try reader.readValue()))", "an array [begin, end]")
        }
        var offsets: [Int] = []
        try reader.readElements { index, reader in
            let value = try reader.readValue()
            guard index < 2 else { throw refuse("with a third data offset \(shown(value))", "an array [begin, end]") }
            // An offset past Int is past any file; it is refused like a negative one.
            guard case .integer(let offset) = value, offset >= 0 else {
                throw refuse("with data offset \(shown(value))", "an integer from 0 to \(dataSize) (the data size)")
            }
            offsets.append(offset)
        }
        guard offsets.count == 2 else {
            throw refuse("with \(offsets.count) data offset\(offsets.count == 1 ? "" : "s")", "an array [begin, end]")
        }
        guard offsets[0] <= offsets[1] else {
            throw refuse("with data_offsets [\(offsets[0]), \(offsets[1])]", "begin ≤ end")
        }
        return (offsets[0], offsets[1])
    }

    /// The format's layout rule: sorted by begin, tensors tile the data section exactly — no byte
    /// shared by two tensors (aliasing), none left to no tensor (a hole), nothing past the last.
    /// Zero-size tensors take no bytes and are left out.
    private static func checkCoverage(_ tensors: [Tensor], dataSize: Int, fail: Failure) throws {
        // Plain integers to sort: 400,000 entries sort in a moment even in a debug build.
        var spans: [(begin: Int, end: Int, index: Int)] = []
        spans.reserveCapacity(tensors.count)
        for (index, tensor) in tensors.enumerated() where !tensor.dataOffsets.isEmpty {
            spans.append((tensor.dataOffsets.lowerBound, tensor.dataOffsets.upperBound, index))
        }
        spans.sort { $0.begin < $1.begin }
        let name = { (index: Int) in shown(tensors[index].name) }
        var covered = 0
        var previous: Int?
        for span in spans {
            if span.begin < covered, let previous {
                throw fail("tensors \(name(previous)) and \(name(span.index)) sharing data bytes "
                           + "\(span.begin)..<\(min(covered, span.end))", "each byte in one tensor")
            }
            if span.begin > covered {
                let before = previous.map { "between \(name($0)) and \(name(span.index))" } ?? "before \(name(span.index))"
                throw fail("data bytes \(covered)..<\(span.begin) in no tensor (\(before))",
                           "tensors covering the data without holes")
            }
            covered = span.end
            previous = span.index
        }
        if covered < dataSize {
            let after = previous.map { " (after \(name($0)))" } ?? " (no tensor has data)"
            throw fail("data bytes \(covered)..<\(dataSize) in no tensor\(after)", "tensors covering the data without holes")
        }
    }
}
