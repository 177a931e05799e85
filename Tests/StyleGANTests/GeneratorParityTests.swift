import Foundation
import MLXCore
import XCTest
@testable import StyleGAN

/// The generator against scripts/make_stylegan_reference.py (a PyTorch StyleGAN2 that equals
/// rosinality's code on these files): tiny generators with non-standard channel counts, random
/// noise weights and biases. Tolerance max|Δ| / max|ref| ≤ 1e-4 (float32, different summation orders).
final class GeneratorParityTests: XCTestCase {
    static func fixture(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)).path
    }

    static func relativeError(_ ours: MLXArray, _ reference: MLXArray) throws -> Float {
        let scale = try abs(reference).max().item(Float.self)
        return try abs(ours - reference).max().item(Float.self) / max(scale, 1e-12)
    }

    /// NHWC → NCHW.
    static func channelsFirst(_ x: MLXArray) throws -> MLXArray { try x.transposed([0, 3, 1, 2]) }

    func checkCase(_ name: String) throws {
        let generator = try StyleGAN2Checkpoint.loadGenerator(safetensors: Self.fixture("stylegan-\(name).safetensors"))
        let inputs = try SafetensorsFile.load(Self.fixture("stylegan-\(name).inputs.safetensors")).tensors
        let outputs = try SafetensorsFile.load(Self.fixture("stylegan-\(name).outputs.safetensors")).tensors
        let z = inputs["z"]!, z2 = inputs["z2"]!, w = inputs["w"]!
        let cases: [(String, MLXArray)] = [
            ("image_z", try generator(z)),
            ("image_w", try generator.synthesize(w)),
            ("image_truncated", try generator(z, truncation: 0.7)),
            ("image_mixed", try generator(z, mixing: z2, mixingIndex: 3)),
        ]
        for (key, image) in cases {
            XCTAssertLessThanOrEqual(try Self.relativeError(Self.channelsFirst(image), outputs[key]!), 1e-4, "\(name) \(key)")
        }
    }

    func testSixteenPixelGenerator() throws { try checkCase("16") }
    func testThirtyTwoPixelGenerator() throws { try checkCase("32") }

    /// Gradients of ⟨image, c⟩ with respect to the weights the adaptation application trains.
    func testGradientsReachConvolutionAndModulationWeights() throws {
        let generator = try StyleGAN2Checkpoint.loadGenerator(safetensors: Self.fixture("stylegan-16.safetensors"))
        let inputs = try SafetensorsFile.load(Self.fixture("stylegan-16.inputs.safetensors")).tensors
        let outputs = try SafetensorsFile.load(Self.fixture("stylegan-16.outputs.safetensors")).tensors
        let c = try inputs["grad_weights"]!.transposed([0, 2, 3, 1])
        let (_, gradients) = try generator.valueAndGradients { try (generator(inputs["z"]!) * c).sum() }
        // Gradients in memory layout [out, k, k, in]; the reference is rosinality's [1, out, in, k, k].
        for (ours, reference) in [("conv1.conv.weight", "grad_conv1"), ("convs.0.conv.weight", "grad_convs0")] {
            let fileLayout = try XCTUnwrap(gradients[ours]).transposed([0, 3, 1, 2]).expandedDimensions(axis: 0)
            XCTAssertLessThanOrEqual(try Self.relativeError(fileLayout, outputs[reference]!), 1e-4, ours)
        }
        XCTAssertLessThanOrEqual(try Self.relativeError(try XCTUnwrap(gradients["conv1.conv.modulation.weight"]), outputs["grad_modulation"]!),
                                 1e-4)
    }

    /// Saved and reloaded, a generator gives the same images; the file has rosinality's keys.
    func testRosinalityLayoutRoundTrip() throws {
        let generator = try StyleGAN2Checkpoint.loadGenerator(safetensors: Self.fixture("stylegan-16.safetensors"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("g-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try StyleGAN2Checkpoint.save(generator, to: path)
        let reference = Set(try SafetensorsFile.load(Self.fixture("stylegan-16.safetensors")).tensors.keys)
        let written = Set(try SafetensorsFile.load(path).tensors.keys)
        XCTAssertEqual(written, reference, "same keys as rosinality's state dict (blur kernels and noises included)")
        let reloaded = try StyleGAN2Checkpoint.loadGenerator(safetensors: path)
        let z = try Random.normal([2, 24], key: Random.key(5))
        XCTAssertEqual(try generator(z).toArray(Float.self), try reloaded(z).toArray(Float.self))
    }
}
