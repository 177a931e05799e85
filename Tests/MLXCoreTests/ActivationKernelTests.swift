import Foundation
import MLXCore
import XCTest

/// CMLX's fused activations (GEGLU's gate, exact GELU, quick GELU) against Float64 on the host,
/// and their gradients against the same functions written from MLX ops here.
final class ActivationKernelTests: XCTestCase {
    /// 3 rows of 37 values spanning −9…9 (erf saturates beyond ±4; e^−x overflows nothing).
    private func spanningRows() throws -> MLXArray {
        let positions = try arange(0, Double(3 * 37)) * Float(18.0 / Double(3 * 37))
        return try (positions - Float(9)).reshaped(3, 37)
    }

    private func hostGelu(_ x: Float) -> Double { 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot())) }

    private func geluFromOps(_ x: MLXArray) throws -> MLXArray { try x * 0.5 * (erf(x * Float(0.5.squareRoot())) + 1) }

    private func assertClose(_ result: MLXArray, _ expected: [Double], _ message: String) throws {
        for (value, reference) in zip(try result.toArray(Float.self), expected) {
            XCTAssertEqual(Double(value), reference, accuracy: 2e-6 * (1 + abs(reference)), message)
        }
    }

    func testGatedGeluMatchesTheDefinition() throws {
        let b = try spanningRows()
        let a = try Random.normal([3, 37], key: try Random.key(31))
        let result = try gatedGelu(concatenated([a, b], axis: 1))
        XCTAssertEqual(result.shape, [3, 37])
        let expected = zip(try a.toArray(Float.self), try b.toArray(Float.self)).map { (a: Float, b: Float) -> Double in
            Double(a) * self.hostGelu(b)
        }
        try assertClose(result, expected, "gated")
    }

    func testGeluAndQuickGeluMatchTheirDefinitions() throws {
        let x = try spanningRows()
        let values = try x.toArray(Float.self)
        try assertClose(try gelu(x), values.map(hostGelu), "gelu")
        try assertClose(try quickGelu(x), values.map { Double($0) / (1 + exp(-1.702 * Double($0))) }, "quick gelu")
    }

    func testGradientsMatchMLXOps() throws {
        let h = try Random.normal([2, 5, 16], key: try Random.key(32)) * 3
        let weights = try Random.normal([2, 5, 16], key: try Random.key(33))
        let halfWeights = try weights.sliced(axis: 2, 0..<8)
        let cases: [(String, (MLXArray) throws -> MLXArray, (MLXArray) throws -> MLXArray)] = [
            ("gated", { try gatedGelu($0) * halfWeights }, { x in
                let halves = try x.split(parts: 2, axis: -1)
                return try halves[0] * self.geluFromOps(halves[1]) * halfWeights
            }),
            ("gelu", { try gelu($0) * weights }, { try self.geluFromOps($0) * weights }),
            ("quick", { try quickGelu($0) * weights }, { try $0 * sigmoid($0 * 1.702) * weights }),
        ]
        for (name, fused, reference) in cases {
            let ours = try grad({ try fused($0).sum() })(h)
            let theirs = try grad({ try reference($0).sum() })(h)
            XCTAssertLessThan(try abs(ours - theirs).max().item(Float.self), 1e-5, name)
        }
    }

    func testGatedGeluRejectsAnOddLastAxis() throws {
        XCTAssertThrowsError(try gatedGelu(try zeros([2, 7]))) { error in
            XCTAssertTrue("\(error)".contains("even length"), "\(error)")
        }
    }
}
