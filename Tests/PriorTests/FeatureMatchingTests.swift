import Diffusion
import MLXCore
import XCTest
@testable import Prior

/// ∂L_FM/∂v by autodiff through the truncated decoder against central finite differences.
final class FeatureMatchingTests: XCTestCase {
    func testGradientMatchesFiniteDifferences() throws {
        let prior = try TinyModels.prior()
        let shape = [1, 4, 4, 4]
        let keys = try Random.split(try Random.key(21))
        let v = try Random.normal(shape, key: keys[0]).toArray(Float.self)
        let target = try Random.normal(shape, key: keys[1])
        let (_, gradient, _) = try prior.featureMatching(try MLXArray(v, shape: shape), target: target)
        let analytic = try gradient.toArray(Float.self)
        func loss(_ values: [Float]) throws -> Double {
            Double(try prior.featureMatching(try MLXArray(values, shape: shape), target: target).loss.item(Float.self))
        }
        let step: Float = 1e-3
        for index in [0, 5, 17, 42, 63] {
            var plus = v, minus = v
            plus[index] += step
            minus[index] -= step
            let numeric = (try loss(plus) - loss(minus)) / Double(2 * step)
            // L1 of smooth features: differentiable almost everywhere; float32 with step 1e-3 gives
            // ~1e-3 absolute noise on gradients of size ~1e-2..1e-1.
            XCTAssertEqual(Double(analytic[index]), numeric, accuracy: 2e-3 + 0.05 * abs(numeric), "coordinate \(index)")
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
