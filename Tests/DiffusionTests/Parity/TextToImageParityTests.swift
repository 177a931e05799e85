import MLXCore
import XCTest
@testable import Diffusion

/// The whole text-to-image loop (prompt encoding, guidance, sampler, decoding) against
/// diffusers' StableDiffusionPipeline with the same starting latents, DDIM and Euler, 4 steps.
/// Tolerance 1e-4 relative on the final latents (errors of ~1e-6 per UNet call accumulate over steps).
final class TextToImageParityTests: XCTestCase {
    func testMatchesDiffusersPipeline() throws {
        for model in ReferenceFixtures.models {
            let manifest = try XCTUnwrap(try ReferenceFixtures.json(model, "manifest.json")["txt2img"] as? [String: Any])
            let pipeline = try StableDiffusion.load(try ReferenceFixtures.folder(model))
            var settings = GenerationSettings(prompt: try XCTUnwrap(manifest["prompt"] as? String))
            settings.steps = try XCTUnwrap(manifest["num_inference_steps"] as? Int)
            settings.guidanceScale = Float(try XCTUnwrap(manifest["guidance_scale"] as? Double))
            settings.height = manifest["height"] as? Int
            settings.width = manifest["width"] as? Int
            let noise = try ReferenceFixtures.tensors(model, "txt2img.inputs")["latents"]!.transposed(0, 2, 3, 1)
            for sampler in ["ddim", "euler"] {
                settings.sampler = sampler
                let expected = try ReferenceFixtures.tensors(model, "txt2img-\(sampler).outputs")
                let latents = try pipeline.sample(settings, initialNoise: noise)
                XCTAssertLessThan(try ReferenceFixtures.relativeError(latents, expected["latents"]!.transposed(0, 2, 3, 1)), 1e-4,
                                  "\(model) \(sampler) latents")
                // The reference image is clamp(decode / 2 + 0.5, 0, 1).
                let image = try pipeline.decode(latents)[0]
                let unit = try clip(image * 0.5 + 0.5, min: 0, max: 1)
                XCTAssertLessThan(try ReferenceFixtures.relativeError(unit, expected["image"]!.index(0).transposed(1, 2, 0)), 1e-4,
                                  "\(model) \(sampler) image")
            }
        }
    }
}
