import XCTest

/// Bad input must end in one clear line on stderr naming the problem, a non-zero exit, and no
/// crash (no signal status, no "Fatal error", no C++ "terminate called").
func assertCleanFailure(_ result: CommandResult, mentions needles: String..., file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNotEqual(result.status, 0, "expected failure", file: file, line: line)
    XCTAssertLessThan(result.status, 128, "process crashed: \(result.stderr)", file: file, line: line)
    XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr, file: file, line: line)
    XCTAssertFalse(result.stderr.contains("terminate called"), result.stderr, file: file, line: line)
    let lines = result.stderr.split(separator: "\n").filter { !$0.isEmpty }
    XCTAssertEqual(lines.count, 1, "expected one line on stderr, got: \(result.stderr)", file: file, line: line)
    for needle in needles {
        XCTAssertTrue(result.stderr.contains(needle), "stderr should name '\(needle)': \(result.stderr)", file: file, line: line)
    }
}
