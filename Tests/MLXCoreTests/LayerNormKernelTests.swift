import Foundation
import MLXCore
import XCTest

/// CMLX's fused layer normalisation against Float64 on the host (with and without affine
/// parameters, enough rows to split over cores) and its gradients against MLX ops.
final class LayerNormKernelTests: XCTestCase {
    private let (rows, width) = (3000, 21)

    private func inputs() throws -> (MLXArray, MLXArray, MLXArray) {
        let keys = try Random.split(try Random.key(41), count: 3)
        // An offset mean: the two-pass variance must not lose precision.
        return (try Random.normal([2, rows / 2, width], key: keys[0]) * 3 + 50,
                try Random.normal([width], key: keys[1]), try Random.normal([width], key: keys[2]))
    }

    func testMatchesTheDefinition() throws {
        let (x, w, b) = try inputs()
        let values = try x.toArray(Float.self), weights = try w.toArray(Float.self), biases = try b.toArray(Float.self)
        for (weight, bias) in [(w, b), (nil, nil), (w, nil)] as [(MLXArray?, MLXArray?)] {
            let result = try layerNorm(x, weight: weight, bias: bias, eps: 1e-5).toArray(Float.self)
            for row in Swift.stride(from: 0, to: rows, by: 7) {
                let slice = values[(row * width)..<((row + 1) * width)].map(Double.init)
                let mean = slice.reduce(0, +) / Double(width)
                let variance = slice.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
                for i in 0..<width {
                    var expected = (slice[i] - mean) / (variance + 1e-5).squareRoot()
                    if weight != nil { expected *= Double(weights[i]) }
                    if bias != nil { expected += Double(biases[i]) }
                    XCTAssertEqual(Double(result[row * width + i]), expected, accuracy: 2e-5 * (1 + abs(expected)))
                }
            }
        }
    }

    func testGradientsMatchMLXOps() throws {
        let (x, w, b) = try inputs()
        let cotangent = try Random.normal(x.shape, key: try Random.key(42))
        let fused = try valueAndGrad({ v in [try (layerNorm(v[0], weight: v[1], bias: v[2]) * cotangent).sum()] },
                                     argnums: [0, 1, 2])([x, w, b]).1
        let reference = try valueAndGrad({ v in
            let centred = try v[0] - v[0].mean(axes: [-1], keepDims: true)
            let normalized = try centred * rsqrt((centred * centred).mean(axes: [-1], keepDims: true) + 1e-5)
            return [try ((normalized * v[1] + v[2]) * cotangent).sum()]
        }, argnums: [0, 1, 2])([x, w, b]).1
        for (name, (a, r)) in zip(["input", "weight", "bias"], zip(fused, reference)) {
            let scale = try abs(r).max().item(Float.self)
            XCTAssertLessThan(try abs(a - r).max().item(Float.self), 1e-5 * Swift.max(scale, 1), name)
        }
    }
}
