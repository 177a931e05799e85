import Foundation
import MLXCore
import XCTest

/// Our safetensors header checks (issue #15, hostile input): every file below is written byte by
/// byte from hand-written JSON text — no JSON library, nothing of the reader under test — and must
/// be refused by `SafetensorsFile.load` with one line naming the file and the reason, before MLX
/// sees it (several of these crashed or hung inside MLX before).
final class SafetensorsHeaderTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("st-header-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The format's layout: u64 little-endian header length (or `claimedLength`), header, data.
    private func fileBytes(_ header: String, data: [UInt8] = [], claimedLength: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        let length = claimedLength ?? UInt64(headerBytes.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + headerBytes + data
    }

    private func write(_ bytes: [UInt8], _ label: String) -> String {
        let path = folder.appendingPathComponent("\(label).safetensors").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    /// Loading must throw one line that names the file and contains every one of `reasons`.
    private func assertRefused(_ bytes: [UInt8], _ label: String, because reasons: String...,
                               file: StaticString = #filePath, line: UInt = #line) {
        let path = write(bytes, label)
        XCTAssertThrowsError(try SafetensorsFile.load(path), label, file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("safetensors file '\(path)': "), "\(label): \(message)", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "\(label): not one line: \(message)", file: file, line: line)
            XCTAssertFalse(message.contains("[load_safetensors]"), "\(label): MLX saw it: \(message)", file: file, line: line)
            for reason in reasons {
                XCTAssertTrue(message.contains(reason), "\(label): '\(reason)' not in: \(message)", file: file, line: line)
            }
        }
    }

    private func tensor(_ name: String, _ dtype: String, _ shape: String, _ offsets: String) -> String {
        #""\#(name)":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}"#
    }

    // MARK: Shapes and sizes

    func testElementCountOverflowIsRefused() {
        // 2^16 ^ 4 = 2^64 bytes of U8: wraps to 0 in unchecked 64-bit arithmetic, so [0, 0] "matched".
        assertRefused(fileBytes("{\(tensor("w", "U8", "[65536,65536,65536,65536]", "[0,0]"))}"), "wraps-to-zero",
                      because: "'w'", "over 2^63 bytes")
        assertRefused(fileBytes("{\(tensor("w", "F32", "[2147483647,2147483647,2147483647]", "[0,4]"))}", data: [0, 0, 0, 0]),
                      "overflow", because: "'w'", "over 2^63 bytes")
    }

    func testHugeShapeWithoutDataIsRefused() {
        // The fuzzer's [1, 4, 2^30, 2^30] with no data crashed in MLX's reshape.
        assertRefused(fileBytes("{\(tensor("w", "F32", "[1,4,1073741824,1073741824]", "[0,0]"))}"), "huge-f32",
                      because: "'w'", "over 2^63 bytes")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[1,4,1073741824,1073741824]", "[0,0]"))}"), "huge-u8",
                      because: "'w'", "4611686018427387904 bytes")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[1,4,1073741824,1073741824]", "[0,4611686018427387904]"))}"),
                      "huge-u8-claimed", because: "'w'", "truncated")
    }

    func testNegativeFractionalOversizedAndNonNumericDimensionsAreRefused() {
        let data: [UInt8] = [0, 0, 0, 0]
        assertRefused(fileBytes("{\(tensor("w", "U8", "[-4]", "[0,4]"))}", data: data), "negative",
                      because: "'w'", "dimension -4 at index 0", "from 0 to 2147483647")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[2,2.0]", "[0,4]"))}", data: data), "fraction-zero",
                      because: "'w'", "dimension 2.0 at index 1")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[32.5]", "[0,32]"))}", data: Array(repeating: 0, count: 32)),
                      "fraction", because: "dimension 32.5")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[4e0]", "[0,4]"))}", data: data), "exponent", because: "dimension 4e0")
        // 2^31 is past int32; 2^32 + 4 would be read as 4 modulo 2^32.
        assertRefused(fileBytes("{\(tensor("w", "U8", "[2147483648]", "[0,4]"))}", data: data), "int32-plus-one",
                      because: "dimension 2147483648")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[4294967300]", "[0,4]"))}", data: data), "modulo-2^32",
                      because: "dimension 4294967300")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[99999999999999999999999]", "[0,4]"))}", data: data),
                      "beyond-64-bits", because: "dimension 99999999999999999999999")
        assertRefused(fileBytes("{\(tensor("w", "U8", #"["4"]"#, "[0,4]"))}", data: data), "string-dimension",
                      because: "dimension the string '4'")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[null]", "[0,4]"))}", data: data), "null-dimension",
                      because: "dimension null")
        assertRefused(fileBytes("{\(tensor("w", "U8", "4", "[0,4]"))}", data: data), "shape-not-array",
                      because: "shape 4", "an array of integers")
    }

    func testUnknownDTypeIsRefusedByName() {
        // F64: in the format, but not among the dtypes MLX's reader accepts.
        assertRefused(fileBytes("{\(tensor("weight", "F64", "[1]", "[0,8]"))}", data: Array(repeating: 0, count: 8)),
                      "f64", because: "'weight'", "dtype 'F64'", "BF16")
        assertRefused(fileBytes("{\(tensor("weight", "Q4_K", "[1]", "[0,1]"))}", data: [0]), "q4", because: "'Q4_K'")
        assertRefused(fileBytes(#"{"weight":{"dtype":7,"shape":[1],"data_offsets":[0,1]}}"#, data: [0]), "dtype-number",
                      because: "'weight'", "dtype 7")
    }

    // MARK: Byte ranges

    func testOffsetsNotMatchingDTypeAndShapeAreRefused() {
        // F32 [2] needs 8 bytes; 4 are given (and exist).
        assertRefused(fileBytes("{\(tensor("w", "F32", "[2]", "[0,4]"))}", data: [0, 0, 0, 0]), "short-range",
                      because: "'w'", "(4 bytes)", "8 bytes for shape [2] of F32")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[4]", "[4,0]"))}", data: [0, 0, 0, 0]), "reversed",
                      because: "data_offsets [4, 0]", "begin ≤ end")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[4]", "[0,4,8]"))}", data: [0, 0, 0, 0]), "three-offsets",
                      because: "third data offset 8", "[begin, end]")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[4]", "[-4,0]"))}", data: [0, 0, 0, 0]), "negative-offset",
                      because: "data offset -4")
        assertRefused(fileBytes("{\(tensor("w", "U8", "[4]", "[0,18446744073709551620]"))}", data: [0, 0, 0, 0]),
                      "offset-beyond-64-bits", because: "data offset 18446744073709551620")
    }

    func testAliasingOffsetsAreRefused() {
        // Every tensor on the same bytes: the fuzzer's "one buffer, many tensors".
        let header = "{\(tensor("a", "U8", "[4]", "[0,4]")),\(tensor("b", "U8", "[4]", "[0,4]"))}"
        assertRefused(fileBytes(header, data: [1, 2, 3, 4]), "alias", because: "'a' and 'b'", "sharing data bytes 0..<4")
        let partial = "{\(tensor("a", "U8", "[4]", "[0,4]")),\(tensor("b", "U8", "[4]", "[2,6]"))}"
        assertRefused(fileBytes(partial, data: [1, 2, 3, 4, 5, 6]), "partial-overlap", because: "sharing data bytes 2..<4")
    }

    func testHolesInTheDataAreRefused() {
        let between = "{\(tensor("a", "U8", "[4]", "[0,4]")),\(tensor("b", "U8", "[4]", "[8,12]"))}"
        assertRefused(fileBytes(between, data: Array(repeating: 0, count: 12)), "hole",
                      because: "data bytes 4..<8 in no tensor", "between 'a' and 'b'", "without holes")
        assertRefused(fileBytes("{\(tensor("a", "U8", "[4]", "[4,8]"))}", data: Array(repeating: 0, count: 8)),
                      "leading-hole", because: "data bytes 0..<4", "before 'a'")
        assertRefused(fileBytes("{\(tensor("a", "U8", "[4]", "[0,4]"))}", data: Array(repeating: 0, count: 6)),
                      "trailing-bytes", because: "data bytes 4..<6", "after 'a'")
        assertRefused(fileBytes("{}", data: [0]), "data-without-tensors", because: "data bytes 0..<1")
    }

    func testTensorBeyondTheFileIsRefused() {
        assertRefused(fileBytes("{\(tensor("w", "F32", "[4]", "[0,16]"))}", data: [0, 0, 0, 0]), "beyond",
                      because: "'w'", "truncated", "data byte 16", "holds 4 bytes")
    }

    // MARK: Names, keys, metadata

    func testDuplicateNamesAreRefused() {
        // JSON readers keep the last of two equal keys: the first tensor would vanish silently.
        let header = "{\(tensor("w", "U8", "[1]", "[0,1]")),\(tensor("w", "U8", "[1]", "[1,2]"))}"
        assertRefused(fileBytes(header, data: [0, 0]), "duplicate", because: "tensor 'w' twice")
        // The same name spelt with an escape is the same name.
        let escaped = "{\(tensor("w", "U8", "[1]", "[0,1]")),\(tensor(#"\u0077"#, "U8", "[1]", "[1,2]"))}"
        assertRefused(fileBytes(escaped, data: [0, 0]), "duplicate-escaped", because: "tensor 'w' twice")
        assertRefused(fileBytes(#"{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [0]),
                      "duplicate-key", because: "'w'", "dtype twice")
        assertRefused(fileBytes(#"{"__metadata__":{"a":"1","a":"2"}}"#), "duplicate-metadata", because: "entry 'a' twice")
        assertRefused(fileBytes(#"{"__metadata__":{},"__metadata__":{}}"#), "two-metadata", because: "__metadata__ twice")
        // Names cross into C as C strings: "w\u0000a" and "w\u0000b" would both come back as "w".
        let nul = "{\(tensor(#"w\u0000a"#, "U8", "[1]", "[0,1]")),\(tensor(#"w\u0000b"#, "U8", "[1]", "[1,2]"))}"
        assertRefused(fileBytes(nul, data: [0, 0]), "nul-in-name", because: #"'w\0a'"#, "NUL")
        assertRefused(fileBytes(#"{"__metadata__":{"k":"v\u0000"}}"#), "nul-in-metadata", because: "entry 'k'", "NUL")
    }

    func testTensorEntriesWithMissingOrExtraKeysAreRefused() {
        assertRefused(fileBytes(#"{"w":{"dtype":"U8","shape":[1]}}"#, data: [0]), "missing", because: "'w'", "without data_offsets")
        assertRefused(fileBytes(#"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":1}}"#, data: [0]),
                      "extra", because: "'w'", "key 'extra'")
        assertRefused(fileBytes(#"{"w":[1,2]}"#), "not-object", because: "'w'", "an array of 2 items")
    }

    func testBadMetadataIsRefused() {
        assertRefused(fileBytes(#"{"__metadata__":{"format":1}}"#), "metadata-number", because: "entry 'format'", "a string")
        assertRefused(fileBytes(#"{"__metadata__":{"format":{"nested":"x"}}}"#), "metadata-object", because: "entry 'format'")
        assertRefused(fileBytes(#"{"__metadata__":["pt"]}"#), "metadata-array", because: "__metadata__ that is an array of 1 item,", "an object of strings")
    }

    func testLongValuesAreCutInMessages() {
        let longName = String(repeating: "n", count: 100_000)
        let header = "{\(tensor(longName, "U8", "[1]", "[0,1]")),\(tensor(longName, "U8", "[1]", "[1,2]"))}"
        let path = write(fileBytes(header, data: [0, 0]), "long")
        XCTAssertThrowsError(try SafetensorsFile.load(path)) {
            XCTAssertLessThan("\($0)".count, 300, "\($0)")
            XCTAssertTrue("\($0)".contains(String(repeating: "n", count: 60) + "…"), "\($0)")
        }
        let newline = "{\(tensor(#"a\nb"#, "F99", "[1]", "[0,1]"))}"
        assertRefused(fileBytes(newline, data: [0]), "escaped-in-message", because: #"'a\nb'"#)
    }

    // MARK: The header as a whole

    func testHeaderLengthsPastTheFileOrTheLimitAreRefused() {
        let header = "{\(tensor("w", "U8", "[1]", "[0,1]"))}"
        assertRefused(fileBytes(header, data: [0], claimedLength: 1000), "past-file",
                      because: "header length 1000", "runs past the end")
        assertRefused(fileBytes(header, data: [0], claimedLength: 100_000_001), "over-limit",
                      because: "header length 100000001", "at most 100000000")
        assertRefused(fileBytes(header, data: [0], claimedLength: UInt64.max), "max-u64",
                      because: "header length 18446744073709551615")
        assertRefused(fileBytes("", claimedLength: 0), "empty-header", because: "empty header")
        assertRefused([1, 2, 3, 4, 5, 6, 7], "seven-bytes", because: "truncated: 7 bytes", "at least 8")
    }

    func testHeadersThatAreNotOneJSONObjectAreRefused() {
        assertRefused(fileBytes("[1,2]"), "array", because: "a header that is an array", "a JSON object")
        assertRefused(fileBytes(#""text""#), "string", because: "a header that is a string")
        assertRefused(fileBytes(#"{"w":"#), "unterminated", because: "not JSON", "the end of the text")
        assertRefused(fileBytes("{\(tensor("a", "U8", "[0]", "[0,0]"))} {}"), "trailing-object",
                      because: "not JSON", "'{' at header byte 54", "the end of the text")
        assertRefused(fileBytes(#"{'a':{}}"#), "single-quotes", because: "not JSON", "a key in double quotes")
        assertRefused(fileBytes(#"{"a":01}"#), "leading-zero", because: "not JSON")
        assertRefused(fileBytes(#"{"a":tru}"#), "bad-literal", because: "not JSON")
        assertRefused(fileBytes("{\"a\tb\":{}}"), "raw-tab-in-string", because: "not JSON", "control character")
        assertRefused(fileBytes(#"{"\ud800":{}}"#), "lone-high-surrogate", because: "not JSON", "low surrogate")
        assertRefused(fileBytes(#"{"\udc00":{}}"#), "lone-low-surrogate", because: "not JSON", "lone low surrogate")
        assertRefused(fileBytes(#"{"\x":{}}"#), "bad-escape", because: "not JSON")
        assertRefused([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff], "not-utf8", because: "not UTF-8")
        // NUL padding is not the format's (it pads with spaces).
        assertRefused(fileBytes("{}\0\0"), "nul-padding", because: "not JSON")
    }

    func testDeepNestingIsRefusedWithoutExhaustingTheStack() {
        // 100,000 levels would overflow a recursive reader's stack; ours stops at 64.
        let depth = 100_000
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        assertRefused(fileBytes(#"{"__metadata__":\#(nested)}"#), "deep", because: "nesting deeper than 64 levels")
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        assertRefused(fileBytes(#"{"__metadata__":\#(objects)}"#), "deep-objects", because: "nesting deeper than 64 levels")
        assertRefused(fileBytes("{\(tensor("w", "U8", nested, "[0,0]"))}"), "deep-shape", because: "nesting deeper than 64 levels")
    }

    // MARK: Files that are fine

    func testPaddedHeaderWithZeroSizeTensorAndMetadataLoads() throws {
        // 1.5 as little-endian float32; "z" takes no bytes and sits at the end of the data.
        var header = #"{"__metadata__":{"format":"pt","note":"caf\u00e9 \ud83d\ude00"},"#
            + "\(tensor("z", "F32", "[0,3]", "[4,4]")),\(tensor("w", "F32", "[1]", "[0,4]"))}"
        header += String(repeating: " ", count: 8 - header.utf8.count % 8 + 5)
        let path = write(fileBytes(header, data: [0x00, 0x00, 0xc0, 0x3f]), "padded")
        let loaded = try SafetensorsFile.load(path)
        XCTAssertEqual(loaded.metadata, ["format": "pt", "note": "café 😀"])
        XCTAssertEqual(try XCTUnwrap(loaded.tensors["w"]).toArray(Float.self), [1.5])
        XCTAssertEqual(try XCTUnwrap(loaded.tensors["z"]).shape, [0, 3])
        let read = try SafetensorsHeader.read(path)
        XCTAssertEqual(read.tensors.map(\.name), ["z", "w"])
        XCTAssertEqual(read.tensors.map(\.dataOffsets), [4..<4, 0..<4])
        XCTAssertEqual(read.dataStart, 8 + header.utf8.count)
        XCTAssertEqual(read.dataSize, 4)
    }

    func testEveryDTypeWeAcceptLoadsThroughMLXAsPredicted() throws {
        // Pins our dtype list to MLX's reader: each name loads, and as the dtype we predicted.
        let expected: [(String, Int, DType)] = [
            ("BOOL", 1, .bool), ("U8", 1, .uint8), ("I8", 1, .int8), ("U16", 2, .uint16), ("I16", 2, .int16),
            ("U32", 4, .uint32), ("I32", 4, .int32), ("U64", 8, .uint64), ("I64", 8, .int64), ("F16", 2, .float16),
            ("BF16", 2, .bfloat16), ("F32", 4, .float32), ("C64", 8, .complex64), ("F8_E4M3", 1, .uint8),
            ("F8_E8M0", 1, .uint8),
        ]
        for (name, size, dtype) in expected {
            let path = write(fileBytes("{\(tensor("x", name, "[2]", "[0,\(2 * size)]"))}",
                                       data: Array(repeating: 0, count: 2 * size)), name)
            let loaded = try XCTUnwrap(try SafetensorsFile.load(path).tensors["x"], name)
            XCTAssertEqual(loaded.dtype, dtype, name)
            XCTAssertEqual(loaded.shape, [2], name)
        }
    }

    func testFilesWrittenBySaveLoadAndPassTheChecks() throws {
        let tensors: [String: MLXArray] = [
            "a": try MLXArray([1, 2, 3] as [Float], shape: [3]),
            "b": try ones([2, 2]).asType(.bfloat16),
            "c": try MLXArray([7] as [Int32], shape: [1]),
            "empty": try zeros([0, 5]),
        ]
        let path = folder.appendingPathComponent("saved.safetensors").path
        try SafetensorsFile(tensors: tensors, metadata: ["k": "v"]).save(path)
        let header = try SafetensorsHeader.read(path)
        XCTAssertEqual(Set(header.tensors.map(\.name)), Set(tensors.keys))
        XCTAssertEqual(header.metadata, ["k": "v"])
        let loaded = try SafetensorsFile.load(path)
        for (name, original) in tensors {
            XCTAssertEqual(try XCTUnwrap(loaded.tensors[name]).bytes(), try original.bytes(), name)
        }
        // Without metadata MLX writes "__metadata__": null, which the format's reference reads as none.
        try SafetensorsFile(tensors: tensors).save(path)
        XCTAssertEqual(try SafetensorsHeader.read(path).metadata, [:])
        XCTAssertEqual(Set(try SafetensorsFile.load(path).tensors.keys), Set(tensors.keys))
    }

    func testFourHundredThousandTinyTensorsValidate() throws {
        // Was > 60 s (a rescan of the header per tensor). One byte each, listed back to front so
        // the layout check has to sort them. No time is asserted: a slow check shows as a slow test.
        let count = 400_000
        var header: [UInt8] = Array("{".utf8)
        header.reserveCapacity(count * 64)
        for index in stride(from: count - 1, through: 0, by: -1) {
            header += Array(#""t\#(index)":{"dtype":"U8","shape":[1],"data_offsets":[\#(index),\#(index + 1)]}"#.utf8)
            header.append(index == 0 ? UInt8(ascii: "}") : UInt8(ascii: ","))
        }
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(header.count) >> (8 * $0)) }
        bytes += header
        bytes += [UInt8](repeating: 0, count: count)
        let path = write(bytes, "many")
        let read = try SafetensorsHeader.read(path)
        XCTAssertEqual(read.tensors.count, count)
        XCTAssertEqual(read.tensors.last?.dataOffsets, 0..<1)
    }

    func testOnlyTheHeaderIsRead() throws {
        // A sparse 64 GiB file: reading its data would take minutes; the header alone, a moment.
        let dataSize = 1 << 36
        let path = write(fileBytes("{\(tensor("big", "U8", "[65536,1048576]", "[0,\(dataSize)]"))}"), "sparse")
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        do {
            try handle.truncate(atOffset: try handle.seekToEnd() + UInt64(dataSize))
        } catch {
            throw XCTSkip("no sparse files here: \(error)")
        }
        let read = try SafetensorsHeader.read(path)
        XCTAssertEqual(read.dataSize, dataSize)
        XCTAssertEqual(read.tensors.first?.shape, [65536, 1_048_576])
    }

    func testMissingFileIsNamed() {
        let path = folder.appendingPathComponent("absent.safetensors").path
        XCTAssertThrowsError(try SafetensorsHeader.read(path)) {
            XCTAssertEqual("\($0)", "safetensors file '\(path)': cannot open it (No such file or directory), expected a readable file")
        }
    }
}
