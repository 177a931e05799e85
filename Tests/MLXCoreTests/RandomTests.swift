import MLXCore
import XCTest

/// Random numbers from explicit keys: reproducible, independent per key, right distributions.
final class RandomTests: XCTestCase {
    func testSameKeySameNumbersDifferentKeysDiffer() throws {
        let a = try Random.normal([64], key: Random.key(7)).toArray(Float.self)
        XCTAssertEqual(a, try Random.normal([64], key: Random.key(7)).toArray(Float.self))
        XCTAssertNotEqual(a, try Random.normal([64], key: Random.key(8)).toArray(Float.self))
        let parts = try Random.split(try Random.key(7), count: 3)
        XCTAssertEqual(parts.count, 3)
        XCTAssertNotEqual(try Random.uniform([8], key: parts[0]).toArray(Float.self), try Random.uniform([8], key: parts[1]).toArray(Float.self))
    }

    func testNormalMoments() throws {
        // 100 000 samples: the mean's standard error is 0.0032 and the std's ≈ 0.0022; 5σ bounds.
        let x = try Random.normal([100_000], mean: 1.5, std: 2, key: Random.key(1))
        XCTAssertEqual(try x.mean().item(Float.self), 1.5, accuracy: 5 * 2 / 316.2)
        XCTAssertEqual(try x.variance().item(Float.self).squareRoot(), 2, accuracy: 5 * 0.0045)
    }

    func testUniformRandintBernoulliRanges() throws {
        let u = try Random.uniform([10_000], low: -1, high: 3, key: Random.key(2))
        XCTAssertGreaterThanOrEqual(try u.min().item(Float.self), -1)
        XCTAssertLessThan(try u.max().item(Float.self), 3)
        XCTAssertEqual(try u.mean().item(Float.self), 1, accuracy: Float(5 * 4 / (12.0.squareRoot() * 100)))
        let n = try Random.randint([10_000], low: 3, high: 7, key: Random.key(3))
        XCTAssertEqual(n.dtype, .int32)
        XCTAssertEqual(Set(try n.toArray(Int32.self)), [3, 4, 5, 6])
        let b = try Random.bernoulli([10_000], p: 0.3, key: Random.key(4))
        let frequency = Float(try b.toArray(Bool.self).filter { $0 }.count) / 10_000
        XCTAssertEqual(frequency, 0.3, accuracy: Float(5 * (0.3 * 0.7 / 10_000).squareRoot()))  // 5σ
    }
}
