import MLXCore
import XCTest

/// Failing MLX calls become thrown MLXErrors with MLX's message; the process goes on.
final class ErrorTests: XCTestCase {
    private func assertMLXError(_ body: @autoclosure () throws -> MLXArray, mentions words: [String],
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? MLXError else { return XCTFail("not an MLXError: \(error)", file: file, line: line) }
            XCTAssertFalse(error.message.isEmpty, file: file, line: line)
            XCTAssertTrue(words.contains { error.message.lowercased().contains($0) }, error.message, file: file, line: line)
        }
    }

    func testShapeMismatchesThrow() throws {
        let a = try ones([2, 3]), b = try ones([4, 5])
        assertMLXError(try matmul(a, b), mentions: ["shape", "matmul", "dimension"])
        assertMLXError(try a + b, mentions: ["shape", "broadcast"])
        assertMLXError(try a.reshaped(4, 2), mentions: ["reshape", "shape", "size"])
        let image = try ones([1, 8, 8, 3]), wrongChannels = try ones([4, 3, 3, 5])
        assertMLXError(try conv2d(image, wrongChannels), mentions: ["channel", "shape", "conv"])
        assertMLXError(try conv2d(try ones([8, 8, 3]), wrongChannels), mentions: ["rank", "conv"])
        assertMLXError(try a.sliced(axis: 5, 0..<1), mentions: ["axis"])
        assertMLXError(try a.transposed(0, 0), mentions: ["transpose", "axes", "axis"])
        // Still working afterwards.
        XCTAssertEqual(try matmul(a, ones([3, 1])).toArray(Float.self), [3, 3])
    }
}
