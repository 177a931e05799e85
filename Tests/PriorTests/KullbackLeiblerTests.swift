import MLXCore
import XCTest
@testable import Prior

/// The KL term against its closed form and finite differences.
final class KullbackLeiblerTests: XCTestCase {
    func testMatchesClosedFormPerChannel() throws {
        let (b, h, w, c) = (2, 3, 2, 2)
        let values = (0..<(b * h * w * c)).map { Float(sin(Double($0) * 0.9) * 1.5 + (($0 % c) == 0 ? 0.3 : -0.7)) }
        let loss = try kullbackLeiblerRegularizer(try MLXArray(values, shape: [b, h, w, c])).item(Float.self)
        var expected = 0.0
        for channel in 0..<c {
            let members = stride(from: channel, to: values.count, by: c).map { Double(values[$0]) }
            let mean = members.reduce(0, +) / Double(members.count)
            let variance = members.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(members.count)  // population
            expected += 0.5 * (mean * mean + variance - log(variance) - 1)
        }
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-5 * max(1, abs(expected)))
    }

    func testStandardNormalStatisticsGiveZero() throws {
        // Two positions per channel at ±1: mean 0, population variance 1 → KL 0 exactly.
        let latents = try MLXArray([1, -1, -1, 1] as [Float], shape: [1, 2, 1, 2])
        XCTAssertEqual(try kullbackLeiblerRegularizer(latents).item(Float.self), 0, accuracy: 1e-7)
    }

    func testGradientMatchesFiniteDifferences() throws {
        let shape = [1, 3, 3, 4]
        let base = try Random.normal(shape, std: 0.8, key: try Random.key(5)).toArray(Float.self)
        let gradient = try grad({ try kullbackLeiblerRegularizer($0) })(try MLXArray(base, shape: shape)).toArray(Float.self)
        let step: Float = 1e-2
        for index in [0, 7, 13, 22, 35] {
            var plus = base, minus = base
            plus[index] += step
            minus[index] -= step
            let difference = try (kullbackLeiblerRegularizer(MLXArray(plus, shape: shape)).item(Float.self)
                - kullbackLeiblerRegularizer(MLXArray(minus, shape: shape)).item(Float.self)) / (2 * step)
            // Central differences in float32 with step 1e-2: error O(step²) plus rounding ~1e-4.
            XCTAssertEqual(gradient[index], difference, accuracy: 2e-3, "coordinate \(index)")
        }
    }
}
