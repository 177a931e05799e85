import Foundation
import XCTest

/// Bad input gives one clear line on stderr naming the problem, a non-zero exit, and no crash trace.
final class BadInputTests: XCTestCase {
    func testMissingFileIsNamed() throws {
        let path = "/nonexistent/weights.safetensors"
        assertCleanFailure(try CommandRunner.run(["inspect", path]), mentions: path)
    }

    func testTruncatedSafetensorsIsNamed() throws {
        // A valid header promising 16 bytes of float32 data, with only 4 bytes present.
        let header = #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        var data = Data()
        var length = UInt64(header.utf8.count).littleEndian
        data.append(Data(bytes: &length, count: 8))
        data.append(Data(header.utf8))
        data.append(Data([0, 0, 128, 63]))
        let url = try CommandRunner.temporaryFile("truncated.safetensors", contents: data)
        let result = try CommandRunner.run(["inspect", url.path])
        assertCleanFailure(result, mentions: url.path)
        XCTAssertTrue(result.stderr.contains("truncated"), result.stderr)
    }

    func testGarbageFileIsNamed() throws {
        let url = try CommandRunner.temporaryFile("garbage.safetensors", contents: Data("not a safetensors file at all".utf8))
        assertCleanFailure(try CommandRunner.run(["inspect", url.path]), mentions: url.path)
    }

    func testUnknownSubcommandFails() throws {
        let result = try CommandRunner.run(["no-such-command"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("no-such-command"), result.stderr)
    }

    func testGpuDeviceRunsOrIsACleanError() throws {
        // A CPU-only build of MLX must refuse --device gpu in one line; a CUDA/Metal build must run.
        let info = try CommandRunner.run(["info"])
        let result = try CommandRunner.run(["bench", "blas", "--device", "gpu", "--repeats", "1"])
        if info.stdout.contains("GPU available    no") {
            assertCleanFailure(result, mentions: "gpu")
        } else {
            XCTAssertEqual(result.status, 0, result.stderr)
        }
    }

    func testValidFileIsListed() throws {
        let header = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
        var data = Data()
        var length = UInt64(header.utf8.count).littleEndian
        data.append(Data(bytes: &length, count: 8))
        data.append(Data(header.utf8))
        data.append(Data(count: 16))
        let url = try CommandRunner.temporaryFile("ok.safetensors", contents: data)
        let result = try CommandRunner.run(["inspect", url.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("w\tfloat32\t[2, 2]"), result.stdout)
        XCTAssertTrue(result.stdout.contains("metadata format = pt"), result.stdout)
    }
}
