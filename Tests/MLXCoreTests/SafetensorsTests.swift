import Foundation
import MLXCore
import XCTest

/// safetensors through MLX's reader/writer: every dtype, metadata, atomic saves, corrupt files.
final class SafetensorsTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testRoundTripOfEveryDTypeWithMetadata() throws {
        let base = try MLXArray([0, 1, -2, 3.5, 100, -0.25] as [Float], shape: [2, 3])
        var tensors: [String: MLXArray] = [:]
        // float64 is not among MLX's safetensors dtypes (it raises "invalid dtype"; tested below).
        for dtype in [DType.float32, .float16, .bfloat16, .int32, .int64, .uint8, .bool] {
            tensors["t_\(dtype)"] = try (dtype == .uint8 || dtype == .bool ? abs(base) : base).asType(dtype)
        }
        tensors["scalar"] = try MLXArray(Float(7))
        tensors["empty"] = try zeros([0, 4])
        let path = folder.appendingPathComponent("all.safetensors").path
        try SafetensorsFile(tensors: tensors, metadata: ["format": "pt", "note": "ünïcode ✓"]).save(path)
        let loaded = try SafetensorsFile.load(path)
        XCTAssertEqual(loaded.metadata, ["format": "pt", "note": "ünïcode ✓"])
        XCTAssertEqual(Set(loaded.tensors.keys), Set(tensors.keys))
        for (name, original) in tensors {
            let copy = try XCTUnwrap(loaded.tensors[name])
            XCTAssertEqual(copy.dtype, original.dtype, name)
            XCTAssertEqual(copy.shape, original.shape, name)
            XCTAssertEqual(try copy.bytes(), try original.bytes(), name)
        }
    }

    func testUnsupportedDTypeIsAnErrorNotACrash() throws {
        let path = folder.appendingPathComponent("f64.safetensors").path
        XCTAssertThrowsError(try SafetensorsFile(tensors: ["x": try MLXArray([1.5] as [Double])]).save(path)) {
            XCTAssertTrue("\($0)".contains("dtype"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testSaveIsAtomicAndOverwrites() throws {
        let path = folder.appendingPathComponent("w.safetensors").path
        try SafetensorsFile(tensors: ["a": try ones([2])]).save(path)
        try SafetensorsFile(tensors: ["b": try zeros([3])]).save(path)
        XCTAssertEqual(Array(try SafetensorsFile.load(path).tensors.keys), ["b"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    private func assertFailsNamingFile(_ bytes: [UInt8], _ label: String, mentions: String? = nil) throws {
        let path = folder.appendingPathComponent("\(label).safetensors").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        XCTAssertThrowsError(try SafetensorsFile.load(path), label) { error in
            XCTAssertTrue(error is MLXError, "\(error)")
            XCTAssertTrue("\(error)".contains(path), "\(label): \(error)")
            if let mentions { XCTAssertTrue("\(error)".contains(mentions), "\(label): \(error)") }
        }
    }

    func testCorruptFilesThrowErrorsNamingTheFile() throws {
        let header = Array(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#.utf8)
        var length = [UInt8](repeating: 0, count: 8)
        length[0] = UInt8(header.count)
        try assertFailsNamingFile(length + header + [0, 0, 0, 0], "truncated", mentions: "truncated")
        try assertFailsNamingFile(Array("garbage, not a header".utf8), "garbage")
        try assertFailsNamingFile([255, 255, 0, 0, 0, 0, 0, 0] + header, "huge-header-length", mentions: "header length")
        try assertFailsNamingFile([1, 2, 3], "tiny")
        XCTAssertThrowsError(try SafetensorsFile.load(folder.appendingPathComponent("missing.safetensors").path)) {
            XCTAssertTrue("\($0)".contains("missing.safetensors"), "\($0)")
        }
        // The process goes on.
        XCTAssertEqual(try (ones([2]) * 3).toArray(Float.self), [3, 3])
    }

    func testUnwritableDestinationIsAnError() throws {
        XCTAssertThrowsError(try SafetensorsFile(tensors: ["a": try ones([1])]).save("/nonexistent-dir/x.safetensors")) {
            XCTAssertTrue("\($0)".contains("/nonexistent-dir/x.safetensors"), "\($0)")
        }
    }
}
