import MLXCore
import XCTest
@testable import NN

/// Layers against direct host-side computations (plain Swift loops: an independent implementation).
final class LayerTests: XCTestCase {
    func testGroupNormMatchesDefinition() throws {
        // [N=2, H=2, W=3, C=4], 2 groups: statistics over (2 channels × 6 positions) per sample.
        let (n, h, w, c, groups) = (2, 2, 3, 4, 2)
        let values = (0..<(n * h * w * c)).map { Float(sin(Double($0) * 1.7)) * 3 }
        let norm = try GroupNorm(groups: groups, channels: c, eps: 1e-5)
        norm.weight.value = try MLXArray([1, 2, 3, 4] as [Float])
        norm.bias.value = try MLXArray([0.5, 0, -0.5, 1] as [Float])
        let result = try norm(try MLXArray(values, shape: [n, h, w, c])).toArray(Float.self)
        let perGroup = c / groups
        for sample in 0..<n {
            for group in 0..<groups {
                var members: [Int] = []
                for position in 0..<(h * w) {
                    for channel in (group * perGroup)..<((group + 1) * perGroup) {
                        members.append((sample * h * w + position) * c + channel)
                    }
                }
                let mean = members.reduce(0.0) { $0 + Double(values[$1]) } / Double(members.count)
                let variance = members.reduce(0.0) { $0 + pow(Double(values[$1]) - mean, 2) } / Double(members.count)
                for index in members {
                    let channel = index % c
                    let normalized: Double = (Double(values[index]) - mean) / (variance + 1e-5).squareRoot()
                    let shifts: [Double] = [0.5, 0, -0.5, 1]
                    let expected: Double = normalized * Double(channel + 1) + shifts[channel]
                    // float32 arithmetic on values of magnitude ≤ ~10: 1e-4 absolute.
                    XCTAssertEqual(Double(result[index]), expected, accuracy: 1e-4)
                }
            }
        }
    }

    func testLinearMatchesDefinition() throws {
        let linear = try Linear(3, 2)
        linear.weight.value = try MLXArray([1, 2, 3, -1, 0, 1] as [Float], shape: [2, 3])
        linear.bias!.value = try MLXArray([0.5, -0.5] as [Float])
        let y = try linear(try MLXArray([1, 1, 2] as [Float], shape: [1, 3])).toArray(Float.self)
        let expected: [Float] = [9.5, 0.5]  // [1·1 + 2·1 + 3·2 + 0.5, −1·1 + 0·1 + 1·2 − 0.5]
        XCTAssertEqual(y, expected)
    }

    func testAttentionMatchesDefinition() throws {
        // One head of width 2 over 3 positions: softmax(q kᵀ / √2) v computed by hand.
        let attention = try MultiHeadAttention(queryDimensions: 2, heads: 1, headDimensions: 2)
        let identity = try MLXArray([1, 0, 0, 1] as [Float], shape: [2, 2])
        for projection in [attention.toQ, attention.toK, attention.toV, attention.toOut[0]] {
            projection.weight.value = identity
        }
        attention.toOut[0].bias!.value = try zeros([2])
        let x: [Float] = [1, 0, 0, 1, 1, 1]
        let y = try attention(try MLXArray(x, shape: [1, 3, 2])).toArray(Float.self)
        for i in 0..<3 {
            let scores = (0..<3).map { j in Double(x[2 * i] * x[2 * j] + x[2 * i + 1] * x[2 * j + 1]) / 2.0.squareRoot() }
            let weights = scores.map { exp($0) }
            let total = weights.reduce(0, +)
            for d in 0..<2 {
                let expected = (0..<3).reduce(0.0) { $0 + weights[$1] / total * Double(x[2 * $1 + d]) }
                XCTAssertEqual(Double(y[2 * i + d]), expected, accuracy: 1e-5)
            }
        }
    }
}
