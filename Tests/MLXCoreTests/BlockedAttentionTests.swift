import MLXCore
import XCTest

/// The CPU attention path splits the queries into blocks when the score matrix would be large;
/// the result, with or without a mask, and its gradients must not depend on the split.
final class BlockedAttentionTests: XCTestCase {
    func testBlocksGiveTheSameOutputAndGradients() throws {
        let keys = try Random.split(try Random.key(3), count: 4)
        let q = try Random.normal([2, 3, 37, 8], key: keys[0])
        let k = try Random.normal([2, 3, 29, 8], key: keys[1])
        let v = try Random.normal([2, 3, 29, 8], key: keys[2])
        let mask = try Random.normal([37, 29], key: keys[3])
        for mask in [nil, mask] {
            // 2·3·29 elements per query row: a block of 600 elements holds 3 query rows.
            let whole = try scaledDotProductAttention(queries: q, keys: k, values: v, scale: 0.3, mask: mask)
            let blocked = try scaledDotProductAttention(queries: q, keys: k, values: v, scale: 0.3, mask: mask, scoreBlockElements: 600)
            XCTAssertLessThan(try abs(whole - blocked).max().item(Float.self), 1e-6)
            let gradient = { (block: Int) in
                try grad({ x in try scaledDotProductAttention(queries: x, keys: k, values: v, scale: 0.3, mask: mask, scoreBlockElements: block).sum() })(q)
            }
            XCTAssertLessThan(try abs(gradient(cpuScoreBlockElements) - gradient(600)).max().item(Float.self), 1e-5)
        }
    }
}
