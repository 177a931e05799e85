import Foundation
import MLXCore
import XCTest

/// writeAtomically leaves exactly the written file: no temporary beside it, none in the system's
/// temporary folder (Foundation's `.atomic` leaves an empty TemporaryDirectory.* there on Linux).
final class AtomicWriteTests: XCTestCase {
    func testLeavesOnlyTheFileAndReplacesAnOldOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-write-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.json").path
        try writeAtomically(Data("old".utf8), to: path)
        try writeAtomically(Data("new".utf8), to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["out.json"])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new")
    }

    func testNamesTheFileItCannotWrite() throws {
        XCTAssertThrowsError(try writeAtomically(Data(), to: "/nonexistent-folder/out.png")) { error in
            XCTAssertTrue("\(error)".contains("cannot write '/nonexistent-folder/out.png'"), "\(error)")
        }
    }
}
