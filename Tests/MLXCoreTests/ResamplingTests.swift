import XCTest
@testable import MLXCore

/// Reflection padding and bilinear resampling against hand computations (PyTorch parity of the
/// same ops is in LayeredEditingTests/OperationParityTests).
final class ResamplingTests: XCTestCase {
    private func column(_ values: [Float]) throws -> MLXArray { try MLXArray(values, shape: [1, values.count, 1, 1]) }

    func testReflectionPaddingSkipsTheBorderElement() throws {
        let x = try column([1, 2, 3, 4])
        XCTAssertEqual(try x.reflectionPadded(axis: 1, low: 2, high: 1).toArray(Float.self), [3, 2, 1, 2, 3, 4, 3])
        XCTAssertThrowsError(try x.reflectionPadded(axis: 1, low: 4, high: 0))
    }

    func testUpsamplingByTwoIsQuarterThreeQuarterBlending() throws {
        // Outputs 2k, 2k+1 read k − ¼ and k + ¼, clamped at the ends.
        let up = try MLXArray([0, 4, 8] as [Float], shape: [1, 3, 1, 1]).upsampledBilinear2x().sliced(axis: 2, 0..<1).toArray(Float.self)
        XCTAssertEqual(up, [0, 1, 3, 5, 7, 8])
        let x = try Random.normal([2, 3, 5, 2], key: try Random.key(1))
        let viaResize = try x.resizedBilinear(height: 6, width: 10)
        XCTAssertEqual(try x.upsampledBilinear2x().toArray(Float.self), try viaResize.toArray(Float.self))
    }

    func testResizeAntialiasingAveragesWhenShrinking() throws {
        let x = try column([0, 10, 20, 30])
        // Plain: outputs read positions 0.5 and 2.5 → 5, 25. Antialiased: a triangle of
        // half-width 2 centred at 1 and 3 → taps (0, 1, 2) with weights ¼·(1, 2, 1)... renormalised.
        XCTAssertEqual(try x.resizedBilinear(height: 2, width: 1).toArray(Float.self), [5, 25])
        let smooth = try x.resizedBilinear(height: 2, width: 1, antialias: true).toArray(Float.self)
        // centre 1: taps 0..2 at |j + ½ − 1|/2 = ¼, ¼, ¾ → weights ¾, ¾, ¼ → (0·¾ + 10·¾ + 20·¼)/1.75.
        XCTAssertEqual(smooth[0], (7.5 + 5) / 1.75, accuracy: 1e-5)
        XCTAssertEqual(smooth[1], (10 * 0.25 + 20 * 0.75 + 30 * 0.75) / 1.75, accuracy: 1e-5)
        XCTAssertThrowsError(try x.resizedBilinear(height: 0, width: 1))
    }
}
