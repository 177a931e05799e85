import Foundation
import XCTest
@testable import Formats

/// A refused global's name comes from the file: binary bytes, newlines and megabytes must not
/// reach the message as they are (one line, cut, escaped).
final class HostileGlobalNameTests: XCTestCase {
    private func unicode(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return [0x58] + withUnsafeBytes(of: UInt32(bytes.count).littleEndian, Array.init) + bytes  // BINUNICODE
    }

    func testNameWithNewlinesAndControlBytesIsEscapedAndCut() throws {
        let module = "os\nimport\u{0}evil\t" + String(repeating: "x", count: 10_000)
        let pickle = Data([0x80, 0x02] + unicode(module) + unicode("system") + [0x93, 0x2E])  // STACK_GLOBAL, STOP
        XCTAssertThrowsError(try PickleFile.decode(pickle, path: "evil.pkl")) { error in
            let message = "\(error)"
            XCTAssertFalse(message.contains("\n"), message)
            XCTAssertTrue(message.contains(#"os\nimport\0evil\t"#), message)
            XCTAssertTrue(message.contains("characters)"), message)
            XCTAssertLessThan(message.count, 300, message)
            XCTAssertTrue(message.hasPrefix("evil.pkl: the pickle names the global"), message)
        }
    }
}
