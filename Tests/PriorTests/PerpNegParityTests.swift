import Diffusion
import Foundation
import MLXCore
import XCTest
@testable import Prior

/// Perp-Neg in the prior against an independent PyTorch implementation of stable-dreamfusion's
/// `weighted_perpendicular_aggregator` (scripts/make_perpneg_reference.py) on the tiny SD1-like
/// model, and the aggregation itself against a scalar loop.
final class PerpNegParityTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffusionTests/Fixtures")

    func testMatchesPyTorchReference() throws {
        let folder = try ModelFolder(path: fixtures.appendingPathComponent("tiny-sd1").path)
        let schedule = try NoiseSchedule(config: folder.config("scheduler", file: "scheduler_config.json"))
        let base = folder.url.appendingPathComponent("reference/prior-perpneg").path
        let inputs = try SafetensorsFile.load(base + ".inputs.safetensors")
        let expected = try SafetensorsFile.load(base + ".outputs.safetensors").tensors
        var configuration = PriorConfiguration()
        configuration.guidanceScale = try XCTUnwrap(Float(inputs.metadata["guidance_scale"] ?? ""))
        configuration.featureMatchingLayers = (inputs.metadata["fm_layers"] ?? "").split(separator: ",").map(String.init)
        configuration.lambdaKL = 0
        let prior = try LatentDiffusionPrior(unet: folder.loadUNet(), vae: folder.loadVAE(), schedule: schedule, configuration: configuration)
        let t = inputs.tensors
        let weights = try t["weights"]!.toArray(Float.self)
        let negatives = try (0..<2).map { k in
            PerpendicularNegative(embeddings: try XCTUnwrap(t["negative\(k)"]), weights: Array(weights[(2 * k)..<(2 * k + 2)]))
        }
        let evaluation = try prior.evaluate(
            latents: t["latents"]!.transposed(0, 2, 3, 1),
            conditioning: TextConditioning(conditional: t["cond"]!, unconditional: t["uncond"]!, perpendicularNegatives: negatives),
            noise: t["noise"]!.transposed(0, 2, 3, 1), timesteps: try t["timestep"]!.toArray(Int64.self).map(Int.init))
        let results: [String: MLXArray] = [
            "grad_lsd": try evaluation.lsdGradient.transposed(0, 3, 1, 2),
            "grad_fm": try XCTUnwrap(evaluation.fmGradient).transposed(0, 3, 1, 2),
            "loss_fm": try XCTUnwrap(evaluation.fmLoss),
        ]
        for (key, reference) in expected {
            let value = try XCTUnwrap(results[key])
            let error = try abs(value - reference).max().item(Float.self) / max(try abs(reference).max().item(Float.self), 1e-12)
            XCTAssertLessThanOrEqual(error, 1e-4, key)
        }

        // The negatives matter: without them the gradient is another one.
        let plain = try prior.evaluate(latents: t["latents"]!.transposed(0, 2, 3, 1),
                                       conditioning: TextConditioning(conditional: t["cond"]!, unconditional: t["uncond"]!),
                                       noise: t["noise"]!.transposed(0, 2, 3, 1), timesteps: try t["timestep"]!.toArray(Int64.self).map(Int.init))
        XCTAssertGreaterThan(try abs(plain.lsdGradient - evaluation.lsdGradient).max().item(Float.self), 0.01)
    }

    func testAggregationMatchesAScalarLoop() throws {
        let keys = try Random.split(Random.key(11), count: 3)
        let positive = try Random.normal([2, 3, 2, 4], key: keys[0])
        let negative = try Random.normal([2, 3, 2, 4], key: keys[1])
        let weights: [Float] = [-1.5, -0.00001]
        let direction = try PerpendicularNegative.guidanceDirection(positive: positive, negatives: [(negative, weights)])
        let p = try positive.toArray(Float.self), n = try negative.toArray(Float.self), d = try direction.toArray(Float.self)
        let count = 3 * 2 * 4
        for element in 0..<2 {
            let range = (element * count)..<((element + 1) * count)
            var dot: Double = 0, norm: Double = 0
            for i in range { dot += Double(n[i]) * Double(p[i]); norm += Double(p[i]) * Double(p[i]) }
            let w = abs(weights[element]) > 1e-4 ? Double(weights[element]) : 0
            for i in range {
                let expected = Double(p[i]) + w * (Double(n[i]) - dot / max(norm, 1e-6) * Double(p[i]))
                XCTAssertEqual(Double(d[i]), expected, accuracy: 1e-5)
            }
        }
        // A negative along the positive direction has no perpendicular part: nothing changes.
        let parallel = try PerpendicularNegative.guidanceDirection(positive: positive, negatives: [(positive * 3, [-2])])
        XCTAssertLessThan(try abs(parallel - positive).max().item(Float.self), 1e-5)
    }
}
