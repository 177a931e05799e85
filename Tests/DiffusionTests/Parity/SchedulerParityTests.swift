import MLXCore
import XCTest
@testable import Diffusion

/// DDPM, DDIM and Euler against diffusers' schedulers: timesteps, σs, and every step of a
/// 10-step trajectory with fixed model outputs, for ε (tiny-sd1) and v prediction (tiny-sd2).
/// Tolerance 1e-5 relative: float32 arithmetic in a different order.
final class SchedulerParityTests: XCTestCase {
    private let samplers: [(String, SamplerKind)] = [("DDPMScheduler", .ddpm), ("DDIMScheduler", .ddim), ("EulerDiscreteScheduler", .euler)]

    private func schedule(_ model: String) throws -> NoiseSchedule {
        try NoiseSchedule(config: try ReferenceFixtures.folder(model).config("scheduler", file: "scheduler_config.json"))
    }

    func testTimestepsAndSigmas() throws {
        for model in ReferenceFixtures.models {
            let reference = try XCTUnwrap(try ReferenceFixtures.json(model, "schedulers.json")["schedulers"] as? [String: [String: Any]])
            for (name, kind) in samplers {
                let entry = try XCTUnwrap(reference[name])
                let timesteps = try XCTUnwrap(entry["timesteps"] as? [String: [Double]])
                for (steps, expected) in timesteps {
                    let sampler = try kind.make(schedule: schedule(model), steps: Int(steps)!)
                    // Integer timesteps exactly; Euler's fractional float32 ones to float32 precision (ulp ≈ 6e-5 below 1000).
                    XCTAssertEqual(sampler.timesteps.count, expected.count, "\(model) \(name) \(steps) steps")
                    for (a, b) in zip(sampler.timesteps, expected) { XCTAssertEqual(a, b, accuracy: 1e-3, "\(model) \(name) \(steps) steps") }
                    if let euler = sampler as? EulerSampler, let sigmas = (entry["sigmas"] as? [String: [Double]])?[steps] {
                        for (a, b) in zip(euler.sigmas, sigmas) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, b)) }
                        let initial = try XCTUnwrap((entry["init_noise_sigma_after_set_timesteps"] as? [String: Double])?[steps])
                        XCTAssertEqual(Double(sampler.initialNoiseScale), initial, accuracy: 1e-4)
                    }
                }
            }
        }
    }

    func testTrajectories() throws {
        for model in ReferenceFixtures.models {
            let reference = try XCTUnwrap(try ReferenceFixtures.json(model, "schedulers.json")["schedulers"] as? [String: [String: Any]])
            for (name, kind) in samplers {
                let trajectory = try XCTUnwrap(reference[name]?["trajectory"] as? [String: Any])
                let shape = try XCTUnwrap(trajectory["shape"] as? [Int])
                let steps = try XCTUnwrap(trajectory["steps"] as? [[String: Any]])
                let sampler = try kind.make(schedule: schedule(model), steps: try XCTUnwrap(trajectory["num_inference_steps"] as? Int))
                let toChannelsLast = [0, 2, 3, 1]
                func tensor(_ step: [String: Any], _ key: String) throws -> MLXArray {
                    try ReferenceFixtures.array(try XCTUnwrap(step[key]), shape: shape).transposed(toChannelsLast)
                }
                for (index, step) in steps.enumerated() {
                    let sample = try tensor(step, "sample")
                    if step["scaled_model_input"] != nil {
                        let scaled = try sampler.scaleModelInput(sample, stepIndex: index)
                        XCTAssertLessThan(try ReferenceFixtures.relativeError(scaled, tensor(step, "scaled_model_input")), 1e-5)
                    }
                    let noise = step["variance_noise"] != nil ? try tensor(step, "variance_noise") : nil
                    let next = try sampler.step(modelOutput: tensor(step, "model_output"), stepIndex: index, sample: sample, noise: noise)
                    XCTAssertLessThan(try ReferenceFixtures.relativeError(next, tensor(step, "prev_sample")), 1e-5,
                                      "\(model) \(name) step \(index)")
                }
            }
        }
    }

    func testAddNoise() throws {
        let reference = try XCTUnwrap(try ReferenceFixtures.json("tiny-sd1", "schedulers.json")["add_noise"] as? [String: Any])
        let timesteps = try XCTUnwrap(reference["timesteps"] as? [Int])
        func shape(_ nested: Any) -> [Int] {
            var dims: [Int] = []
            var current: Any = nested
            while let list = current as? [Any] { dims.append(list.count); current = list.first as Any }
            return dims
        }
        let originalList = try XCTUnwrap(reference["original_samples"])
        let dims = shape(originalList)
        let original = try ReferenceFixtures.array(originalList, shape: dims).transposed(0, 2, 3, 1)
        let noise = try ReferenceFixtures.array(try XCTUnwrap(reference["noise"]), shape: dims).transposed(0, 2, 3, 1)
        let expected = try ReferenceFixtures.array(try XCTUnwrap(reference["noisy_samples"]), shape: dims).transposed(0, 2, 3, 1)
        let noisy = try schedule("tiny-sd1").addNoise(original, noise: noise, timesteps: timesteps)
        XCTAssertLessThan(try ReferenceFixtures.relativeError(noisy, expected), 1e-5)
    }
}
