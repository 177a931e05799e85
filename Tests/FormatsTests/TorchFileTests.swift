import Foundation
import MLXCore
import XCTest
@testable import Formats

/// torch.save files read without Python, against what torch wrote (scripts/make_torch_pickle_fixtures.py):
/// every dtype, views, shared storages, 0-d and empty tensors, in the zip and the legacy format.
final class TorchFileTests: XCTestCase {
    static func fixture(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)).path
    }

    func checkCheckpoint(_ name: String) throws {
        let file = try TorchFile.load(Self.fixture(name))
        let expected = try SafetensorsFile.load(Self.fixture("checkpoint.expected.safetensors")).tensors
        let model = try XCTUnwrap(file.value(at: ["model"]))
        let tensors = try file.stateDict(model, prefix: "model")
        XCTAssertEqual(Set(tensors.keys), Set(expected.keys))
        for (key, reference) in expected {
            let ours = try XCTUnwrap(tensors[key])
            XCTAssertEqual(ours.shape, reference.shape, key)
            // bfloat16, float64 and bool were stored as float32 / uint8 in the reference file: compare as float32 exactly.
            XCTAssertEqual(try ours.asType(.float32).toArray(Float.self), try reference.asType(.float32).toArray(Float.self), key)
        }
        XCTAssertEqual(tensors["model.conv.bias"]?.dtype, .float16)
        XCTAssertEqual(tensors["model.norm.weight"]?.dtype, .bfloat16)
        XCTAssertEqual(tensors["model.steps"]?.dtype, .int64)
        XCTAssertEqual(tensors["model.mask"]?.dtype, .bool)
        // Plain values and the inert argparse.Namespace record.
        XCTAssertEqual(file.value(at: ["step"])?.intValue, 1234)
        XCTAssertEqual(file.value(at: ["name"])?.stringValue, "checkpoint")
        guard case .float(let ratio)? = file.value(at: ["ratio"]) else { return XCTFail("ratio") }
        XCTAssertEqual(ratio, 0.5)
        guard case .bytes(let raw)? = file.value(at: ["raw"]) else { return XCTFail("raw: \(String(describing: file.value(at: ["raw"])))") }
        XCTAssertEqual(raw, [0, 1, 255])
        guard case .object(let args)? = file.value(at: ["args"]) else { return XCTFail("args") }
        XCTAssertEqual(args.className, "argparse.Namespace")
        XCTAssertEqual(file.value(at: ["args", "size"])?.intValue, 16)
        XCTAssertEqual(file.value(at: ["args", "name"])?.stringValue, "toy")
        // The optimiser state is described but not read unless asked for.
        XCTAssertFalse(file.tensorDescriptions(file.value(at: ["optim"])).isEmpty)
    }

    func testZipFormat() throws { try checkCheckpoint("checkpoint.pt") }
    func testLegacyFormat() throws { try checkCheckpoint("checkpoint-legacy.pt") }

    func testDisallowedGlobalIsNamedAndNothingRuns() throws {
        for name in ["hostile-system.pt", "hostile-system.pkl"] {
            let path = try Self.fixture(name)
            XCTAssertThrowsError(name.hasSuffix(".pkl") ? try PickleFile.load(path) : try TorchFile.load(path).root) { error in
                XCTAssertEqual(error as? FormatError, .disallowedGlobal(path: path, name: "posix.system"), "\(error)")
                XCTAssertTrue("\(error)".contains("'posix.system', which is not allowed"), "\(error)")
            }
        }
    }

    func testDamagedFilesAreNamed() throws {
        let truncated = try Self.fixture("hostile-truncated.pt")
        XCTAssertThrowsError(try TorchFile.load(truncated)) { XCTAssertTrue("\($0)".hasPrefix(truncated + ":"), "\($0)") }
        let missing = try Self.fixture("hostile-missing-storage.pt")
        let file = try TorchFile.load(missing)
        XCTAssertThrowsError(try file.stateDict()) { XCTAssertTrue("\($0)".contains("no entry") && "\($0)".contains("data/0"), "\($0)") }
        let short = try Self.fixture("hostile-short-storage.pt")
        XCTAssertThrowsError(try TorchFile.load(short).stateDict()) { XCTAssertTrue("\($0)".contains("storage '0' holds 5 bytes"), "\($0)") }
    }

    /// Every protocol Python writes, including the opcodes torch does not emit (sets, long integers,
    /// raw-unicode-escape text, frames, memoize).
    func testPlainPicklesOfEveryProtocol() throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixture("pickles.json")))) as! [String: Any]
        for protocol_ in 0...5 {
            let value = try PickleFile.load(Self.fixture("pickle-p\(protocol_).pkl"))
            XCTAssertEqual(value["int"]?.intValue, Int64(expected["int"] as! Int), "p\(protocol_)")
            XCTAssertEqual(value["negative"]?.intValue, Int64(expected["negative"] as! Int), "p\(protocol_)")
            XCTAssertEqual(value["text"]?.stringValue, expected["text"] as? String, "p\(protocol_)")
            guard case .float(let f)? = value["float"] else { return XCTFail("p\(protocol_) float") }
            XCTAssertEqual(f, expected["float"] as! Double)
            XCTAssertEqual(value["list"]?.sequence?.compactMap(\.intValue), [1, 2, 3], "p\(protocol_)")
            XCTAssertEqual(value["nested"]?["a"]?.sequence?.last?["b"]?.stringValue, "c", "p\(protocol_)")
            guard case .set(let set)? = value["set"] else { return XCTFail("p\(protocol_) set: \(String(describing: value["set"]))") }
            XCTAssertEqual(Set(set.items.compactMap(\.intValue)), [1, 2])
            guard case .bytes(let bytes)? = value["bytes"] else { return XCTFail("p\(protocol_) bytes: \(String(describing: value["bytes"]))") }
            XCTAssertEqual(bytes, [0x61, 0x62, 0])
            XCTAssertNotNil(value["big"], "p\(protocol_): 2⁷⁰ is kept (inert)")
        }
    }

    /// Hand-made byte strings: each malformed pickle gives its offset and problem, never a trap.
    func testMalformedPicklesAreNamed() throws {
        let cases: [([UInt8], String)] = [
            ([0x80, 0x02, 0x2E], "stack underflow"),
            ([0x80, 0x02, 0x68, 0x05, 0x2E], "memo entry 5"),
            ([0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F], "length of"),
            ([0x80, 0x02, 0xFF], "unknown opcode 0xff"),
            ([0x80, 0x02, 0x28, 0x4E, 0x2E], "STOP inside a MARK"),
            ([0x80, 0x02, 0x63] + Array("os\nsystem\n".utf8) + [0x2E], "'os.system'"),
            ([0x80, 0x02, 0x4E, 0x4E, 0x52, 0x2E], "not an allowed global"),
            ([0x80, 0x02, 0x8B, 0xFF, 0xFF, 0x00, 0x00], "length of 65535 bytes"),
            ([0x80], "more bytes"),
        ]
        for (bytes, needle) in cases {
            XCTAssertThrowsError(try PickleFile.decode(Data(bytes), path: "x.pkl")) { error in
                XCTAssertTrue("\(error)".contains(needle), "\(bytes): \(error)")
                XCTAssertTrue("\(error)".hasPrefix("x.pkl:"), "\(error)")
            }
        }
    }
}
