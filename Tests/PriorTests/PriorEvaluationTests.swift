import Diffusion
import MLXCore
import XCTest
@testable import Prior

final class PriorEvaluationTests: XCTestCase {
    func testSurrogateGradientIsTheGivenGradient() throws {
        let keys = try Random.split(try Random.key(8))
        let v = try Random.normal([1, 2, 2, 4], key: keys[0])
        let g = try Random.normal([1, 2, 2, 4], key: keys[1])
        let gradient = try grad({ try scoreDistillationSurrogate($0, gradient: g) })(v)
        // v − sg(v − g) equals g up to the float32 rounding of v − g (one ulp of |v| + |g| ≲ 5e-7).
        XCTAssertLessThan(try abs(gradient - g).max().item(Float.self), 1e-6)
    }

    /// ᾱ_t of SD's schedule in closed form (scaled_linear: β = linspace(√0.00085, √0.012, 1000)²),
    /// computed here in float64 rather than read from the schedule under test.
    private func alphaBar(_ t: Int) -> Double {
        let (start, end) = (0.00085.squareRoot(), 0.012.squareRoot())
        return (0...t).reduce(1.0) { product, i in
            let beta = start + (end - start) * Double(i) / 999
            return product * (1 - beta * beta)
        }
    }

    /// The bug guarded against: a wrong w(t) (another weighting's, or ᾱ read at t ± 1). With guidance
    /// scale 1 the guided prediction is the conditional one: g = w(t)(ε_cond − ε), for each weighting.
    func testLSDGradientIsWeightedGuidedNoiseResidual() throws {
        let keys = try Random.split(try Random.key(9), count: 2)
        let v = try Random.normal([1, 4, 4, 4], key: keys[0])
        let noise = try Random.normal([1, 4, 4, 4], key: keys[1])
        let conditioning = try TinyModels.conditioning()
        let alpha = alphaBar(500)
        let expectedWeights: [(PriorConfiguration.Weighting, Double)] = [
            (.oneMinusAlpha, 1 - alpha), (.sqrtAlphaOneMinusAlpha, alpha.squareRoot() * (1 - alpha)), (.uniform, 1),
        ]
        for (weighting, weight) in expectedWeights {
            let prior = try TinyModels.prior { $0.guidanceScale = 1; $0.lambdaFM = 0; $0.lambdaKL = 0; $0.weighting = weighting }
            let evaluation = try prior.evaluate(latents: v, conditioning: conditioning, noise: noise, timesteps: [500])
            let noisy = try prior.schedule.addNoise(v, noise: noise, timesteps: [500])
            let predicted = try prior.unet(noisy, timesteps: try MLXArray([Float(500)]), context: conditioning.conditional)
            let expected = try (predicted - noise) * MLXArray(Float(weight))
            let difference = try abs(evaluation.lsdGradient - expected).max().item(Float.self)
            XCTAssertLessThan(difference, 1e-5, "\(weighting)")
            XCTAssertNil(evaluation.fmGradient)
            XCTAssertNil(evaluation.klGradient)
        }
    }

    func testSameKeyGivesSameEvaluation() throws {
        let prior = try TinyModels.prior()
        let v = try Random.normal([2, 4, 4, 4], key: try Random.key(1))
        let conditioning = try TinyModels.conditioning()
        let first = try prior.evaluate(latents: v, conditioning: conditioning, key: try Random.key(77))
        let second = try prior.evaluate(latents: v, conditioning: conditioning, key: try Random.key(77))
        XCTAssertEqual(first.timesteps, second.timesteps)
        XCTAssertEqual(try first.totalGradient(prior.configuration).toArray(Float.self),
                       try second.totalGradient(prior.configuration).toArray(Float.self))
        XCTAssertTrue(first.timesteps.allSatisfy { (20...980).contains($0) })
    }

    func testBadInputIsRejectedWithAClearMessage() throws {
        let prior = try TinyModels.prior()
        let conditioning = try TinyModels.conditioning()
        let wrongChannels = try zeros([1, 4, 4, 3])
        XCTAssertThrowsError(try prior.evaluate(latents: wrongChannels, conditioning: conditioning, key: try Random.key(0))) {
            XCTAssertTrue("\($0)".contains("[B, h, w, 4]"), "\($0)")
        }
        let v = try zeros([1, 4, 4, 4])
        XCTAssertThrowsError(try prior.evaluate(latents: v, conditioning: conditioning, noise: v, timesteps: [1000])) {
            XCTAssertTrue("\($0)".contains("outside [1, 999]"), "\($0)")
        }
        XCTAssertThrowsError(try TinyModels.prior { $0.lambdaKL = -1 }) { XCTAssertTrue("\($0)".contains("lambda-kl"), "\($0)") }
        XCTAssertThrowsError(try TinyModels.prior { $0.tMax = 1.0 }) { XCTAssertTrue("\($0)".contains("t-max"), "\($0)") }
        XCTAssertThrowsError(try TinyModels.prior { $0.featureMatchingLayers = ["up_blocks.9"] }.evaluate(
            latents: v, conditioning: conditioning, noise: v, timesteps: [10])) { XCTAssertTrue("\($0)".contains("up_blocks.9"), "\($0)") }
    }
}
