import Foundation
import MLXCore
import XCTest

/// CMLX's attention over packed heads ([B, L, H·D]) against a Float64 loop on the host, across
/// score-block sizes and with the causal rule, with gradients against the split-heads path built
/// from MLX ops.
final class MultiHeadAttentionKernelTests: XCTestCase {
    private let (batch, queries, keysCount, heads, width) = (2, 37, 29, 3, 5)

    private func inputs(seed: UInt64) throws -> (MLXArray, MLXArray, MLXArray) {
        let keys = try Random.split(try Random.key(seed), count: 3)
        return (try Random.normal([batch, queries, heads * width], key: keys[0]) * 2,
                try Random.normal([batch, keysCount, heads * width], key: keys[1]) * 2,
                try Random.normal([batch, keysCount, heads * width], key: keys[2]))
    }

    /// out[b, i, h·D + d] = Σ_j softmax_j(scale · q_i · k_j) v[b, j, h·D + d] in Float64, over
    /// j ≤ i + S − L only when causal.
    private func hostAttention(_ q: MLXArray, _ k: MLXArray, _ v: MLXArray, scale: Double, causal: Bool = false) throws -> [Double] {
        let (length, stride) = (q.dim(1), heads * width)
        let (q, k, v) = (try q.toArray(Float.self), try k.toArray(Float.self), try v.toArray(Float.self))
        var out = [Double](repeating: 0, count: batch * length * stride)
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<length {
                    let visible = causal ? min(keysCount, i + 1 + keysCount - length) : keysCount
                    let scores = (0..<visible).map { j in
                        scale * (0..<width).reduce(0.0) { total, d in
                            total + Double(q[(b * length + i) * stride + h * width + d]) * Double(k[(b * keysCount + j) * stride + h * width + d])
                        }
                    }
                    let maximum = scores.max()!
                    let weights = scores.map { exp($0 - maximum) }
                    let total = weights.reduce(0, +)
                    for d in 0..<width {
                        out[(b * length + i) * stride + h * width + d] = (0..<visible).reduce(0.0) { sum, j in
                            sum + weights[j] / total * Double(v[(b * keysCount + j) * stride + h * width + d])
                        }
                    }
                }
            }
        }
        return out
    }

    private func maximumError(_ result: MLXArray, _ expected: [Double]) throws -> Double {
        zip(try result.toArray(Float.self), expected).map { abs(Double($0) - $1) }.max()!
    }

    func testMatchesTheDefinitionForEveryScoreBlockSize() throws {
        let (q, k, v) = try inputs(seed: 21)
        let expected = try hostAttention(q, k, v, scale: 0.4)
        // One query row per block, several rows (with a shorter last block), and all rows at once.
        for block in [1, 29 * 4, nil] {
            let result = try multiHeadAttention(queries: q, keys: k, values: v, heads: heads, scale: 0.4, scoreBlockElements: block)
            XCTAssertEqual(result.shape, [batch, queries, heads * width])
            XCTAssertLessThan(try maximumError(result, expected), 1e-5, "block \(String(describing: block))")
        }
    }

    /// Keys after a query's position (shifted by S − L when there are fewer queries) get no weight.
    func testCausalAttentionMatchesTheDefinition() throws {
        let (q, k, v) = try inputs(seed: 26)
        for length in [keysCount, 20] {
            let someQueries = try q.sliced(axis: 1, 0..<length)
            let expected = try hostAttention(someQueries, k, v, scale: 0.4, causal: true)
            for block in [1, 29 * 4, nil] {
                let result = try multiHeadAttention(queries: someQueries, keys: k, values: v, heads: heads, scale: 0.4,
                                                    causal: true, scoreBlockElements: block)
                XCTAssertLessThan(try maximumError(result, expected), 1e-5, "\(length) queries, block \(String(describing: block))")
            }
        }
    }

    func testGradientsMatchTheSplitHeadsPath() throws {
        let (q, k, v) = try inputs(seed: 22)
        let selfQueries = try q.sliced(axis: 1, 0..<keysCount)
        let (batch, heads, width, keysCount) = (batch, heads, width, keysCount)
        let weights = try Random.normal([batch, keysCount, heads * width], key: try Random.key(23))
        func split(_ t: MLXArray) throws -> MLXArray { try t.reshaped(batch, keysCount, heads, width).transposed(0, 2, 1, 3) }
        let future = try arange(keysCount).expandedDimensions(axis: 0) .> arange(keysCount).expandedDimensions(axis: 1)
        let causalMask = try which(future, full([keysCount, keysCount], value: -1e9, dtype: .float32), zeros([keysCount, keysCount]))
        for causal in [false, true] {
            let fused = try valueAndGrad({ x in
                [try (multiHeadAttention(queries: x[0], keys: x[1], values: x[2], heads: heads, scale: 0.4, causal: causal,
                                         scoreBlockElements: 64) * weights).sum()]
            }, argnums: [0, 1, 2])([selfQueries, k, v]).1
            let reference = try valueAndGrad({ x in
                let attended = try scaledDotProductAttention(queries: split(x[0]), keys: split(x[1]), values: split(x[2]), scale: 0.4,
                                                             mask: causal ? causalMask : nil)
                return [try (attended.transposed(0, 2, 1, 3).reshaped(batch, keysCount, heads * width) * weights).sum()]
            }, argnums: [0, 1, 2])([selfQueries, k, v]).1
            for (name, (a, r)) in zip(["q", "k", "v"], zip(fused, reference)) {
                XCTAssertEqual(a.shape, r.shape, name)
                XCTAssertLessThan(try abs(a - r).max().item(Float.self), 1e-4, "\(name), causal \(causal)")
            }
        }
    }

    /// FM runs [v; v̂] through the decoder together and relies on equal images giving equal features.
    func testAnImageDoesNotDependOnTheRestOfTheBatch() throws {
        let (q, k, v) = try inputs(seed: 24)
        let first = { (t: MLXArray) in try t.sliced(axis: 0, 0..<1) }
        let alone = try multiHeadAttention(queries: first(q), keys: first(k), values: first(v), heads: heads, scale: 0.4)
        let inBatch = try multiHeadAttention(queries: q, keys: k, values: v, heads: heads, scale: 0.4)
        XCTAssertEqual(try alone.toArray(Float.self), try first(inBatch).toArray(Float.self))
    }

    func testRejectsWidthsThatDoNotSplitIntoHeads() throws {
        let (q, k, v) = try inputs(seed: 25)
        XCTAssertThrowsError(try multiHeadAttention(queries: q, keys: k, values: v, heads: 4, scale: 1)) { error in
            XCTAssertTrue("\(error)".contains("not divisible into 4 heads"), "\(error)")
        }
        XCTAssertThrowsError(try multiHeadAttention(queries: q, keys: k.sliced(axis: 2, 0..<6), values: v, heads: 3, scale: 1)) { error in
            XCTAssertTrue("\(error)".contains("do not fit together"), "\(error)")
        }
    }
}
