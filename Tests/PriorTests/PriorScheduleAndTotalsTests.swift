import Diffusion
import MLXCore
import XCTest
@testable import Prior

/// t_max annealing and the λ-weighted total: behaviour a run relies on that no parity case covers.
final class PriorScheduleAndTotalsTests: XCTestCase {
    /// The bug guarded against: annealing ignored (or applied backwards), so late steps still draw
    /// large t. With t ∈ [0.02, 0.98] annealed to t_max = 0.3, a finished run draws t ≤ 300 and a
    /// fresh one reaches far above it; at progress ½ the bound is 640.
    func testTMaxAnnealsWithProgress() throws {
        let prior = try TinyModels.prior { $0.tMaxFinal = 0.3; $0.lambdaFM = 0; $0.lambdaKL = 0 }
        let v = try Random.normal([16, 4, 4, 4], key: try Random.key(3))
        let conditioning = try TinyModels.conditioning(batch: 16)
        func drawn(_ progress: Float) throws -> [Int] {
            try (0..<4).flatMap { seed in
                try prior.evaluate(latents: v, conditioning: conditioning, key: try Random.key(UInt64(100 + seed)), progress: progress).timesteps
            }
        }
        let start = try drawn(0), middle = try drawn(0.5), end = try drawn(1)
        XCTAssertTrue(end.allSatisfy { (20...300).contains($0) }, "\(end)")
        XCTAssertTrue(middle.allSatisfy { (20...640).contains($0) }, "\(middle)")
        XCTAssertTrue(start.allSatisfy { (20...980).contains($0) })
        XCTAssertGreaterThan(start.max() ?? 0, 640, "a fresh run reaches beyond the annealed bounds")
        XCTAssertGreaterThan(middle.max() ?? 0, 300)
    }

    /// The bug guarded against: a λ applied to the wrong term or dropped. The total must be
    /// λ_LSD g_LSD + λ_FM g_FM + λ_KL g_KL, term by term, with distinct λs.
    func testTotalGradientWeightsEachTerm() throws {
        let prior = try TinyModels.prior()
        let v = try Random.normal([1, 4, 4, 4], key: try Random.key(5))
        let noise = try Random.normal([1, 4, 4, 4], key: try Random.key(6))
        let evaluation = try prior.evaluate(latents: v, conditioning: try TinyModels.conditioning(), noise: noise, timesteps: [400])
        var configuration = PriorConfiguration()
        (configuration.lambdaLSD, configuration.lambdaFM, configuration.lambdaKL) = (0.5, 3, 7)
        let lsd = try evaluation.lsdGradient.toArray(Float.self)
        let fm = try XCTUnwrap(evaluation.fmGradient).toArray(Float.self)
        let kl = try XCTUnwrap(evaluation.klGradient).toArray(Float.self)
        let total = try evaluation.totalGradient(configuration).toArray(Float.self)
        for index in total.indices {
            let expected = 0.5 * lsd[index] + 3 * fm[index] + 7 * kl[index]
            XCTAssertEqual(total[index], expected, accuracy: 1e-5 * max(1, abs(expected)), "coordinate \(index)")
        }
        XCTAssertGreaterThan(fm.map(abs).max() ?? 0, 0)
        XCTAssertGreaterThan(kl.map(abs).max() ?? 0, 0)
    }
}

final class PriorPredictionTypeTests: XCTestCase {
    /// The bug guarded against: a `sample` (x₀-predicting) model's output used as ε. The prior must
    /// turn x̂₀ into ε̂ = (z_t − √ᾱ x̂₀)/√(1 − ᾱ), with ᾱ computed here in closed form.
    func testSamplePredictionIsConvertedToNoise() throws {
        let reference = try TinyModels.prior { $0.guidanceScale = 1; $0.lambdaFM = 0; $0.lambdaKL = 0; $0.weighting = .uniform }
        let schedule = try NoiseSchedule(predictionType: .sample)  // SD's scaled_linear betas, x₀ prediction
        let prior = try LatentDiffusionPrior(unet: reference.unet, vae: reference.vae, schedule: schedule, configuration: reference.configuration)
        let keys = try Random.split(try Random.key(12), count: 2)
        let v = try Random.normal([1, 4, 4, 4], key: keys[0])
        let noise = try Random.normal([1, 4, 4, 4], key: keys[1])
        let conditioning = try TinyModels.conditioning()
        let t = 300
        let alpha = (0...t).reduce(1.0) { product, i in
            let beta = 0.00085.squareRoot() + (0.012.squareRoot() - 0.00085.squareRoot()) * Double(i) / 999
            return product * (1 - beta * beta)
        }
        let noisy = try v * MLXArray(Float(alpha.squareRoot())) + noise * MLXArray(Float((1 - alpha).squareRoot()))
        let sample = try prior.unet(noisy, timesteps: try MLXArray([Float(t)]), context: conditioning.conditional)
        let epsilon = try (noisy - sample * MLXArray(Float(alpha.squareRoot()))) / MLXArray(Float((1 - alpha).squareRoot()))
        let evaluation = try prior.evaluate(latents: v, conditioning: conditioning, noise: noise, timesteps: [t])
        let difference = try abs(evaluation.lsdGradient - (epsilon - noise)).max().item(Float.self)
        XCTAssertLessThan(difference, 1e-4)
        let asEpsilon = try reference.evaluate(latents: v, conditioning: conditioning, noise: noise, timesteps: [t])
        XCTAssertGreaterThan(try abs(asEpsilon.lsdGradient - evaluation.lsdGradient).max().item(Float.self), 1e-2,
                             "the conversion changes the result")
    }
}
