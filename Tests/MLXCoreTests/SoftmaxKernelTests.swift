import Foundation
import MLXCore
import XCTest

/// CMLX's last-axis softmax kernel (vectorised exp) against the definition and MLX's own softmax.
final class SoftmaxKernelTests: XCTestCase {
    func testMatchesDefinitionOverAWideRange() throws {
        let x = try Random.normal([7, 300], std: 20, key: Random.key(1))
        let values = try x.toArray(Float.self)
        let result = try softmax(x).toArray(Float.self)
        for row in 0..<7 {
            let slice = values[(row * 300)..<((row + 1) * 300)].map(Double.init)
            let maximum = slice.max()!
            let total = slice.reduce(0) { $0 + Foundation.exp($1 - maximum) }
            for (column, value) in slice.enumerated() {
                let expected = Foundation.exp(value - maximum) / total
                // ≤ 2 ulp of exp plus the float32 sum: 1e-6 relative, plus an absolute floor for tiny values.
                XCTAssertEqual(Double(result[row * 300 + column]), expected, accuracy: 1e-6 * expected + 1e-12)
            }
        }
    }

    func testGradientMatchesMLXSoftmaxGradient() throws {
        let x = try Random.normal([3, 17], std: 3, key: Random.key(2))
        let weights = try Random.normal([3, 17], key: Random.key(3))
        let ours = try grad({ try (softmax($0) * weights).sum() })(x)
        // Reference: softmax over both axes of a [3, 17, 1] view reduces to the same rows, through MLX's op.
        let reference = try grad({ x in
            let e = try exp(x - x.max(axis: -1, keepDims: true))
            return try (e / e.sum(axis: -1, keepDims: true) * weights).sum()
        })(x)
        XCTAssertLessThan(try abs(ours - reference).max().item(Float.self), 1e-6)
    }

    func testHalfPrecisionInputKeepsItsDType() throws {
        let x = try MLXArray([1, 2, 3] as [Float]).asType(.float16)
        let y = try softmax(x)
        XCTAssertEqual(y.dtype, .float16)
        XCTAssertEqual(try y.sum().item(Float.self), 1, accuracy: 1e-3)
    }
}
