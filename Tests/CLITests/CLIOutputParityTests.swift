import Foundation
import ImageIO
import MLXCore
import XCTest

/// The success paths of `forward`, `prior-grad` and `generate` compared with the references that
/// diffusers/transformers and the PyTorch prior wrote (scripts/make_reference.py,
/// make_prior_reference.py), by SPEC's measure max|Δ|/max|ref| ≤ 1e-4. Guards against a CLI that
/// exits 0 but writes the wrong tensors (wrong layout, wrong component, options not applied).
final class CLIOutputParityTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffusionTests/Fixtures")
    private let models = ["tiny-sd1", "tiny-sd2"]

    private func reference(_ model: String, _ name: String) -> String {
        fixtures.appendingPathComponent("\(model)/reference/\(name).safetensors").path
    }

    private func output(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)-\(name)").path
    }

    private func relativeError(_ value: MLXArray, _ reference: MLXArray) throws -> Float {
        XCTAssertEqual(value.shape, reference.shape)
        let scale = max(try abs(reference.asType(.float32)).max().item(Float.self), 1e-12)
        return try abs(value.asType(.float32) - reference.asType(.float32)).max().item(Float.self) / scale
    }

    /// `only`: the outputs to compare (the small-t prior case leaves out its FM gradient: see make_prior_reference.py).
    private func assertMatches(_ path: String, _ referencePath: String, _ what: String, tolerance: Float = 1e-4, only: Set<String>? = nil) throws {
        let values = try SafetensorsFile.load(path).tensors
        let expected = try SafetensorsFile.load(referencePath).tensors
        XCTAssertFalse(expected.isEmpty)
        for (name, reference) in expected where only?.contains(name) ?? true {
            let value = try XCTUnwrap(values[name], "\(what): no '\(name)' in the output")
            XCTAssertLessThanOrEqual(try relativeError(value, reference), tolerance, "\(what) \(name)")
        }
    }

    func testForwardWritesTheReferenceOutputs() throws {
        for model in models {
            for component in ["text-encoder", "unet", "vae-encode", "vae-decode"] {
                let out = output("\(component).safetensors")
                let result = try CommandRunner.run([
                    "forward", component, "--model", fixtures.appendingPathComponent(model).path,
                    "--inputs", reference(model, "\(component).inputs"), "--outputs", out,
                ])
                XCTAssertEqual(result.status, 0, result.stderr)
                try assertMatches(out, reference(model, "\(component).outputs"), "\(model) forward \(component)")
            }
        }
    }

    func testPriorGradWritesTheReferenceGradients() throws {
        for model in models {
            for name in ["default", "single-layer", "high-guidance", "small-t"] {
                let inputs = try SafetensorsFile.load(reference(model, "prior-\(name).inputs"))
                let out = output("prior.safetensors")
                let layers = (inputs.metadata["fm_layers"] ?? "").split(separator: ",").map(String.init)
                let result = try CommandRunner.run([
                    "prior-grad", "--model", fixtures.appendingPathComponent(model).path,
                    "--inputs", reference(model, "prior-\(name).inputs"), "--outputs", out,
                    "--guidance-scale", try XCTUnwrap(inputs.metadata["guidance_scale"]),
                    "--weighting", try XCTUnwrap(inputs.metadata["weighting"]), "--fm-layers",
                ] + layers)
                XCTAssertEqual(result.status, 0, result.stderr)
                let checked = inputs.metadata["checked"].map { Set($0.split(separator: ",").map(String.init)) }
                try assertMatches(out, reference(model, "prior-\(name).outputs"), "\(model) prior-grad \(name)", only: checked)
            }
        }
    }

    /// diffusers' pipeline from the same starting latents (txt2img references): the PNG, 8 bits per
    /// channel, within one level of the reference picture.
    func testGenerateFromGivenNoiseDrawsTheReferencePicture() throws {
        for model in models {
            let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures
                .appendingPathComponent("\(model)/reference/manifest.json"))) as? [String: Any])
            let settings = try XCTUnwrap(manifest["txt2img"] as? [String: Any])
            for sampler in ["ddim", "euler"] {
                let folder = output(sampler)
                let result = try CommandRunner.run([
                    "generate", "--model", fixtures.appendingPathComponent(model).path,
                    "--prompt", try XCTUnwrap(settings["prompt"] as? String),
                    "--steps", "\(try XCTUnwrap(settings["num_inference_steps"] as? Int))",
                    "--guidance-scale", "\(try XCTUnwrap(settings["guidance_scale"] as? Double))",
                    "--scheduler", sampler, "--initial-noise", reference(model, "txt2img.inputs"), "--output", folder,
                ])
                XCTAssertEqual(result.status, 0, result.stderr)
                let picture = try PNG.read(folder + "/sample-000.png").toArray(range: 0...1)
                let expected = try XCTUnwrap(try SafetensorsFile.load(reference(model, "txt2img-\(sampler).outputs")).tensors["image"])
                let image = try expected.sliced(axis: 0, 0..<1).reshaped(Array(expected.shape.dropFirst())).transposed(1, 2, 0)
                XCTAssertEqual(picture.shape, image.shape)
                let difference = try abs(picture - image).max().item(Float.self)
                XCTAssertLessThanOrEqual(difference, 1.0 / 255 + 1e-3, "\(model) generate \(sampler): max |Δ| \(difference * 255) levels")
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
    }
}
