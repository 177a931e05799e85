import MLXCore
import XCTest
@testable import Diffusion

/// Every component against diffusers/transformers on the tiny SD1-like and SD2-like models, through
/// the same entry point as `latent-prior forward`. SPEC §3: max|Δ|/max|ref| ≤ 1e-4 in float32
/// (observed ~1e-6: float32 summation-order differences only).
final class ComponentParityTests: XCTestCase {
    private func check(_ component: Component) throws {
        for model in ReferenceFixtures.models {
            let inputs = try ReferenceFixtures.tensors(model, "\(component.rawValue).inputs")
            let expected = try ReferenceFixtures.tensors(model, "\(component.rawValue).outputs")
            let outputs = try component.run(model: try ReferenceFixtures.folder(model), inputs: inputs)
            XCTAssertEqual(Set(outputs.keys), Set(expected.keys))
            for (name, reference) in expected {
                let error = try ReferenceFixtures.relativeError(try XCTUnwrap(outputs[name]), reference)
                XCTAssertLessThanOrEqual(error, 1e-4, "\(model) \(component.rawValue) \(name)")
            }
        }
    }

    func testTextEncoder() throws { try check(.textEncoder) }
    func testUNet() throws { try check(.unet) }
    func testVAEEncode() throws { try check(.vaeEncode) }
    func testVAEDecode() throws { try check(.vaeDecode) }

    func testTokenizerMatchesTheReferenceIDs() throws {
        for model in ReferenceFixtures.models {
            let folder = try ReferenceFixtures.folder(model)
            let tokenizer = try CLIPTokenizer(directory: try folder.component("tokenizer"))
            let manifest = try ReferenceFixtures.json(model, "manifest.json")
            let prompts = try XCTUnwrap(manifest["prompts"] as? [String])
            let expected = try ReferenceFixtures.tensors(model, "text-encoder.inputs")["input_ids"]!.toArray(Int64.self)
            XCTAssertEqual(prompts.flatMap { tokenizer.inputIDs($0).map(Int64.init) }, expected, model)
        }
    }

    func testHalfPrecisionStaysClose() throws {
        // float16 weights and activations: ~3 decimal digits, so a looser bound than float32's.
        let model = "tiny-sd1"
        let inputs = try ReferenceFixtures.tensors(model, "unet.inputs")
        let expected = try ReferenceFixtures.tensors(model, "unet.outputs")["sample"]!
        let output = try Component.unet.run(model: try ReferenceFixtures.folder(model), inputs: inputs, dtype: .float16)["sample"]!
        XCTAssertLessThan(try ReferenceFixtures.relativeError(output, expected), 2e-2)
    }
}
