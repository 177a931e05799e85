import Diffusion
import MLXCore
import XCTest
@testable import Prior

/// ∂L_FM/∂v by autodiff through the truncated decoder against central finite differences.
final class FeatureMatchingTests: XCTestCase {
    /// The bug guarded against: a wrong FM gradient (a missing chain-rule factor such as 1/scaling
    /// factor, a wrong layer, a sign). Checked as directional derivatives: ⟨∇L, d⟩ against the
    /// central difference of L along d, Richardson-extrapolated from steps h and h/2 (truncation
    /// O(h⁴)), for random directions d and for the coordinates with the largest gradients. Along a
    /// random d the derivative sums every coordinate's contribution, so it is large next to float32's
    /// rounding noise (~1e-6 / h) and a relative tolerance of 1% holds with room; a single wrong
    /// coordinate of a typical size moves it by more than that. (float64 does not help here: parts of
    /// the decoder compute in float32 whatever the input dtype.)
    func testGradientMatchesFiniteDifferences() throws {
        let prior = try TinyModels.prior()
        let shape = [1, 4, 4, 4]
        let keys = try Random.split(try Random.key(21), count: 8)
        let v = try Random.normal(shape, key: keys[0]).toArray(Float.self)
        let target = try Random.normal(shape, key: keys[1])
        let analytic = try prior.featureMatching(try MLXArray(v, shape: shape), target: target).gradient.toArray(Float.self)
        func loss(_ values: [Float]) throws -> Double {
            Double(try prior.featureMatching(try MLXArray(values, shape: shape), target: target).loss.item(Float.self))
        }
        func derivative(along direction: [Float]) throws -> Double {
            func central(_ h: Float) throws -> Double {
                (try loss(zip(v, direction).map { $0 + h * $1 }) - loss(zip(v, direction).map { $0 - h * $1 })) / Double(2 * h)
            }
            let (coarse, fine) = (try central(2e-2), try central(1e-2))
            return (4 * fine - coarse) / 3
        }
        var directions = try (2..<6).map { try Random.normal([v.count], key: keys[$0]).toArray(Float.self) }
        let largest = analytic.indices.sorted { abs(analytic[$0]) > abs(analytic[$1]) }.prefix(3)
        directions += largest.map { index in (0..<v.count).map { $0 == index ? Float(1) : 0 } }
        for (number, direction) in directions.enumerated() {
            let expected = zip(analytic, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let numeric = try derivative(along: direction)
            XCTAssertEqual(expected, numeric, accuracy: 0.01 * abs(numeric), "direction \(number)")
        }
    }

    func testTruncatedDecoderGivesTheSameFeatures() throws {
        let prior = try TinyModels.prior()
        let latents = try Random.normal([1, 4, 4, 4], key: try Random.key(2))
        let shallow = try prior.vae.decoderFeatures(latents, layers: [.midBlock])
        let deep = try prior.vae.decoderFeatures(latents, layers: [.midBlock, .upBlock(1)])
        XCTAssertEqual(try shallow[.midBlock]!.toArray(Float.self), try deep[.midBlock]!.toArray(Float.self))
        XCTAssertNil(shallow[.upBlock(1)])
        XCTAssertEqual(deep[.upBlock(1)]!.shape, [1, 16, 16, 16])
    }

    /// Reading the features from a full decode changes the cost, not the loss or the gradient, and
    /// the images it returns are the decoder's outputs for v and the target.
    func testFullDecoderGivesTheSameLossGradientAndTheDecodedImage() throws {
        let prior = try TinyModels.prior()
        let keys = try Random.split(try Random.key(8))
        let v = try Random.normal([1, 4, 4, 4], key: keys[0])
        let target = try Random.normal([1, 4, 4, 4], key: keys[1])
        let truncated = try prior.featureMatching(v, target: target)
        let full = try prior.featureMatching(v, target: target, throughFullDecoder: true)
        XCTAssertNil(truncated.image)
        XCTAssertEqual(try full.loss.item(Float.self), try truncated.loss.item(Float.self), accuracy: 1e-6)
        XCTAssertEqual(try full.gradient.toArray(Float.self), try truncated.gradient.toArray(Float.self))
        let decoded = try prior.vae.decode(concatenated([v, target]) / prior.vae.scalingFactor)
        XCTAssertEqual(full.image!.shape, decoded.shape)
        for (a, b) in zip(try full.image!.toArray(Float.self), try decoded.toArray(Float.self)) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testLossIsZeroWhenTargetEqualsLatents() throws {
        let prior = try TinyModels.prior()
        let latents = try Random.normal([1, 4, 4, 4], key: try Random.key(4))
        // Exactly 0: v and v̂ take the same path through the decoder, each in its own pass.
        XCTAssertEqual(try prior.featureMatching(latents, target: latents).loss.item(Float.self), 0)
    }
}
