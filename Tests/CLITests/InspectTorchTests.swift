import Foundation
import XCTest

/// `inspect` on torch.save files: tensors listed without Python, hostile pickles refused by name.
final class InspectTorchTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FormatsTests/Fixtures")

    func testListsTensorsOfBothFormats() throws {
        for name in ["checkpoint.pt", "checkpoint-legacy.pt"] {
            let result = try CommandRunner.run(["inspect", Self.fixtures.appendingPathComponent(name).path])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("model.conv.weight\tfloat32\t[3, 2, 3, 3]"), result.stdout)
            XCTAssertTrue(result.stdout.contains("model.norm.weight\tbfloat16\t[5]"), result.stdout)
            XCTAssertTrue(result.stdout.contains("entry step = 1234"), result.stdout)
            XCTAssertTrue(result.stdout.contains("entry args = <argparse.Namespace>"), result.stdout)
        }
    }

    func testHostileAndDamagedFilesGiveOneLine() throws {
        let hostile = Self.fixtures.appendingPathComponent("hostile-system.pt").path
        assertCleanFailure(try CommandRunner.run(["inspect", hostile]), mentions: hostile, "'posix.system'")
        let truncated = Self.fixtures.appendingPathComponent("hostile-truncated.pt").path
        assertCleanFailure(try CommandRunner.run(["inspect", truncated]), mentions: truncated)
    }
}
