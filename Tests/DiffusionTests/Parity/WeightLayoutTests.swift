import Foundation
import MLXCore
import XCTest
@testable import Diffusion

/// The tiny SD 1.x model in the other layouts users have (scripts/make_weight_layouts.py writes them
/// and proves with diffusers/transformers that each reproduces tiny-sd1's references).
final class WeightLayoutTests: XCTestCase {
    private func layoutFolder(_ name: String, variant: String? = nil) throws -> ModelFolder {
        let url = try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures/weight-layouts/\(name)")
        return try ModelFolder(path: url.path, variant: variant)
    }

    private func checkAgainstTinySD1(_ folder: ModelFolder, _ component: Component, tolerance: Float = 1e-4) throws {
        let inputs = try ReferenceFixtures.tensors("tiny-sd1", "\(component.rawValue).inputs")
        let expected = try ReferenceFixtures.tensors("tiny-sd1", "\(component.rawValue).outputs")
        let outputs = try component.run(model: folder, inputs: inputs)
        XCTAssertEqual(Set(outputs.keys), Set(expected.keys))
        for (name, reference) in expected {
            let error = try ReferenceFixtures.relativeError(try XCTUnwrap(outputs[name]), reference)
            XCTAssertLessThanOrEqual(error, tolerance, "\(folder.path) \(component.rawValue) \(name)")
        }
    }

    func testPickledWeightsFolderGivesTheReferences() throws {
        let folder = try layoutFolder("tiny-sd1-bin")
        XCTAssertTrue(try folder.weightsFile("unet").hasSuffix("unet/diffusion_pytorch_model.bin"))
        XCTAssertTrue(try folder.weightsFile("text_encoder").hasSuffix("text_encoder/pytorch_model.bin"))
        for component in Component.allCases { try checkAgainstTinySD1(folder, component) }
    }

    func testHalfPrecisionPickledVariant() throws {
        let folder = try layoutFolder("tiny-sd1-bin", variant: "fp16")
        XCTAssertTrue(try folder.weightsFile("unet").hasSuffix("diffusion_pytorch_model.fp16.bin"))
        // float16 weights computed in float32: the weights' rounding only.
        try checkAgainstTinySD1(folder, .unet, tolerance: 1e-2)
    }

    func testTextEncoderWithoutTheTextModelPrefix() throws {
        let folder = try layoutFolder("bare-text-encoder")
        let weights = try WeightsFile.load(try folder.weightsFile("text_encoder"))
        XCTAssertNotNil(weights["embeddings.token_embedding.weight"])
        XCTAssertFalse(weights.keys.contains { $0.hasPrefix("text_model.") })
        let inputs = try ReferenceFixtures.tensors("tiny-sd1", "text-encoder.inputs")
        let expected = try SafetensorsFile.load(folder.url.appendingPathComponent("reference/text-encoder.outputs.safetensors").path)
            .tensors["last_hidden_state"]!
        let output = try Component.textEncoder.run(model: folder, inputs: inputs)["last_hidden_state"]!
        XCTAssertLessThanOrEqual(try ReferenceFixtures.relativeError(output, expected), 1e-4)
    }

    func testTextEncoderOfNeitherLayoutNamesTheMissingKeys() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString)")
        let encoder = directory.appendingPathComponent("text_encoder")
        try FileManager.default.createDirectory(at: encoder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try ReferenceFixtures.folder("tiny-sd1").url.appendingPathComponent("text_encoder")
        try FileManager.default.copyItem(at: source.appendingPathComponent("config.json"), to: encoder.appendingPathComponent("config.json"))
        let weights = try SafetensorsFile.load(source.appendingPathComponent("model.safetensors").path).tensors
        let renamed = Dictionary(uniqueKeysWithValues: weights.map { ("clip." + $0.key, $0.value) })
        try SafetensorsFile(tensors: renamed).save(encoder.appendingPathComponent("model.safetensors").path)
        XCTAssertThrowsError(try ModelFolder(path: directory.path).loadTextEncoder()) { error in
            XCTAssertTrue("\(error)".contains("text_model.embeddings.token_embedding.weight"), "\(error)")
        }
    }
}
