import Foundation
import MLXCore
import XCTest

/// CMLX's fused GroupNorm (+ SiLU) kernel against a Float64 loop on the host, and its gradients
/// against the same function written in MLX ops.
final class GroupNormKernelTests: XCTestCase {
    private let (batch, channels, groups) = (2, 12, 3)
    /// A small image, and one with enough positions (3072) for the kernel to split its passes over cores.
    private let spatialShapes = [[2, 5], [48, 64]]

    private func inputs(spatial: [Int] = [2, 5]) throws -> (x: MLXArray, weight: MLXArray, bias: MLXArray) {
        let keys = try Random.split(try Random.key(5), count: 3)
        // An offset mean and a large scale: the two-pass variance must not lose precision.
        return (try Random.normal([batch] + spatial + [channels], key: keys[0]) * 30 + 100,
                try Random.normal([channels], key: keys[1]), try Random.normal([channels], key: keys[2]))
    }

    private func reference(_ x: [Float], _ w: [Float], _ b: [Float], eps: Double, silu: Bool) -> [Double] {
        let perGroup = channels / groups, positions = x.count / (batch * channels)
        var out = [Double](repeating: 0, count: x.count)
        for n in 0..<batch {
            for g in 0..<groups {
                var values: [Double] = []
                for p in 0..<positions { for c in (g * perGroup)..<((g + 1) * perGroup) { values.append(Double(x[(n * positions + p) * channels + c])) } }
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
                for p in 0..<positions {
                    for c in (g * perGroup)..<((g + 1) * perGroup) {
                        let index = (n * positions + p) * channels + c
                        let y = (Double(x[index]) - mean) / (variance + eps).squareRoot() * Double(w[c]) + Double(b[c])
                        out[index] = silu ? y / (1 + Foundation.exp(-y)) : y
                    }
                }
            }
        }
        return out
    }

    func testMatchesFloat64Reference() throws {
        for spatial in spatialShapes {
            let (x, w, b) = try inputs(spatial: spatial)
            for silu in [false, true] {
                let result = try groupNorm(x, weight: w, bias: b, groups: groups, eps: 1e-5, silu: silu).toArray(Float.self)
                let expected = reference(try x.toArray(Float.self), try w.toArray(Float.self), try b.toArray(Float.self), eps: 1e-5, silu: silu)
                for (value, target) in zip(result, expected) {
                    XCTAssertEqual(Double(value), target, accuracy: 2e-5 * (1 + abs(target)), "silu \(silu), \(spatial)")
                }
            }
        }
    }

    func testGradientsMatchTheOpComposition() throws {
        for spatial in spatialShapes {
            let (x, w, b) = try inputs(spatial: spatial)
            let cotangent = try Random.normal(x.shape, key: try Random.key(6))
            for silu in [false, true] {
                let ours = try valueAndGrad({ v in [try (groupNorm(v[0], weight: v[1], bias: v[2], groups: self.groups, eps: 1e-5, silu: silu) * cotangent).sum()] },
                                            argnums: [0, 1, 2])([x, w, b]).1
                let reference = try valueAndGrad({ v in
                    let grouped = try v[0].reshaped([self.batch, -1, self.groups, self.channels / self.groups])
                    let normalized = try ((grouped - grouped.mean(axes: [1, 3], keepDims: true))
                        * rsqrt(grouped.variance(axes: [1, 3], keepDims: true) + 1e-5)).reshaped(v[0].shape)
                    let y = try normalized * v[1] + v[2]
                    return [try ((silu ? y * sigmoid(y) : y) * cotangent).sum()]
                }, argnums: [0, 1, 2])([x, w, b]).1
                for (name, (a, r)) in zip(["input", "weight", "bias"], zip(ours, reference)) {
                    let scale = try abs(r).max().item(Float.self)
                    XCTAssertLessThan(try abs(a - r).max().item(Float.self), 1e-5 * max(scale, 1), "\(name), silu \(silu), \(spatial)")
                }
            }
        }
    }

    func testRejectsChannelsThatDoNotSplitIntoGroups() throws {
        XCTAssertThrowsError(try groupNorm(try zeros([1, 4, 10]), weight: try ones([10]), bias: try zeros([10]), groups: 3, eps: 1e-5)) { error in
            XCTAssertTrue("\(error)".contains("do not split"), "\(error)")
        }
    }
}
