#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The header of a safetensors file, checked against the format's rules
/// (https://github.com/huggingface/safetensors, "Format") before MLX is given the file.
///
/// MLX's reader trusts the header: element counts wrap past 2^64, dimensions are read modulo
/// 2^32, tensors may alias or run past the data, and a tensor it cannot back with bytes fails at
/// eval, on a worker thread, far from the load call, or traps. So every load reads the header here
/// first (only the header, never the tensor bytes) and refuses anything the format does not allow,
/// with one line naming the file, the tensor and what was wrong.
public struct SafetensorsHeader: Equatable {
    public struct Tensor: Equatable {
        public let name: String
        /// As written in the header ("F8_E4M3").
        public let dtypeName: String
        /// What MLX loads it as (F8 kinds load as raw bytes, `uint8`).
        public let dtype: DType
        public let shape: [Int]
        /// Byte range within the data section (which starts after the header).
        public let dataOffsets: Range<Int>
    }

    /// In header order.
    public let tensors: [Tensor]
    public let metadata: [String: String]
    /// Bytes before the data section: 8 (the header length) + the header.
    public let dataStart: Int
    public let dataSize: Int

    /// The format's limit (the Rust reference refuses longer headers as a memory attack).
    public static let maximumHeaderLength = 100_000_000
    /// Real headers nest 3 deep (header → tensor → shape); this bounds the parser's recursion.
    static let maximumNesting = 64

    /// The dtype names MLX 0.32's reader accepts (mlx/io/safetensors.cpp, `dtype_from_safetensor_str`)
    /// and what each loads as. F64 is not among them: MLX's reader refuses it.
    static let loadableDTypes: [(name: String, dtype: DType)] = [
        ("BOOL", .bool), ("U8", .uint8), ("I8", .int8), ("U16", .uint16), ("I16", .int16),
        ("U32", .uint32), ("I32", .int32), ("U64", .uint64), ("I64", .int64),
        ("F16", .float16), ("BF16", .bfloat16), ("F32", .float32), ("C64", .complex64),
        ("F8_E4M3", .uint8), ("F8_E8M0", .uint8),
    ]

    /// Reads and checks the header of the file at `path`; throws `MLXError` with one line naming
    /// the file and the first problem found.
    public static func read(_ path: String) throws -> SafetensorsHeader {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else {
            throw problem(path, "cannot open it (\(String(cString: strerror(errno))))", expected: "a readable file")
        }
        defer { close(file) }
        var status = stat()
        guard fstat(file, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw problem(path, "not a regular file", expected: "a safetensors file")
        }
        let fileSize = Int(status.st_size)
        guard fileSize >= 8 else {
            throw problem(path, "truncated: \(fileSize) bytes", expected: "at least 8 (the header length)")
        }
        let lengthBytes = try readBytes(file, count: 8, at: 0, path: path)
        // u64 little-endian, kept unsigned: a hostile length may not fit in Int.
        let headerLength = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw problem(path, "header length \(headerLength) is over the format's limit",
                          expected: "at most \(maximumHeaderLength)")
        }
        guard Int(headerLength) <= fileSize - 8 else {
            throw problem(path, "header length \(headerLength) runs past the end of the \(fileSize)-byte file",
                          expected: "at most \(fileSize - 8)")
        }
        let headerBytes = try readBytes(file, count: Int(headerLength), at: 8, path: path)
        return try headerBytes.withUnsafeBufferPointer {
            try SafetensorsHeader(parsing: $0, dataSize: fileSize - 8 - Int(headerLength), path: path)
        }
    }

    /// Exactly `count` bytes from `offset` (pread, retried on short reads and EINTR).
    private static func readBytes(_ file: Int32, count: Int, at offset: Int, path: String) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let got = pread(file, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else {
                    let why = got < 0 ? String(cString: strerror(errno)) : "the file ended"
                    throw problem(path, "cannot read bytes \(offset + done)..<\(offset + count) (\(why))",
                                  expected: "a readable file")
                }
                done += got
            }
            initialized = count
        }
    }

    /// "safetensors file '<path>': <found>, expected <expected>" — the one-line form of every refusal.
    static func problem(_ path: String, _ found: String, expected: String) -> MLXError {
        MLXError("safetensors file '\(path)': \(found), expected \(expected)")
    }

    /// A value from the file for a message: quoted, escaped to one line, cut after 60 characters
    /// (names and strings in a hostile header can be megabytes long).
    static func shown(_ text: String) -> String { "'\(MessageText.value(text))'" }

    /// A shape for a message, cut after about 60 characters.
    static func shown(shape: [Int]) -> String {
        var result = "["
        for (index, dimension) in shape.enumerated() {
            if result.count > 60 { return result + "… (\(shape.count) dimensions)]" }
            result += (index == 0 ? "" : ", ") + String(dimension)
        }
        return result + "]"
    }

    /// Any JSON value for a message: numbers and strings as written (cut), containers by kind.
    static func shown(_ value: StrictJSON) -> String {
        switch value {
        case .string(let text): return "the string \(shown(text))"
        case .integer(let number): return String(number)
        case .otherNumber(let text): return text.count > 60 ? String(text.prefix(60)) + "…" : text
        case .bool(let flag): return String(flag)
        case .null: return "null"
        case .array(let elements): return "an array of \(elements.count) item\(elements.count == 1 ? "" : "s")"
        case .object(let members): return "an object of \(members.count) key\(members.count == 1 ? "" : "s")"
        }
    }
}

extension SafetensorsHeader {
    /// MLX parses the header a second time, with its own JSON reader; this confirms it saw the same
    /// tensors, so no difference between the two parsers can slip a tensor past the checks.
    func checkAgrees(with loaded: [String: MLXArray], path: String) throws {
        guard loaded.count == tensors.count else {
            throw Self.problem(path, "MLX reading \(loaded.count) tensors", expected: "\(tensors.count) as in the header")
        }
        for tensor in tensors {
            guard let array = loaded[tensor.name] else {
                throw Self.problem(path, "MLX not reading tensor \(Self.shown(tensor.name))", expected: "every tensor of the header")
            }
            guard array.shape == tensor.shape, array.dtype == tensor.dtype else {
                throw Self.problem(path, "MLX reading tensor \(Self.shown(tensor.name)) as \(array.dtype) "
                                   + "\(Self.shown(shape: array.shape))",
                                   expected: "\(tensor.dtypeName) \(Self.shown(shape: tensor.shape)) as in the header")
            }
        }
    }
}
