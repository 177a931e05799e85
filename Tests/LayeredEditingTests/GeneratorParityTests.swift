import MLXCore
import NN
import XCTest
@testable import LayeredEditing

/// The generator against scripts/make_edit_reference.py's PyTorch network, which was checked there
/// to load strictly into Text2LIVE's own skip() and give the same output. Tolerance 1e-4 relative
/// (SPEC §3): float32 sums over ≤ 9·8 terms per conv and BatchNorm statistics over ≤ 3072 values.
final class GeneratorParityTests: XCTestCase {
    private func generator(_ name: String) throws -> (SkipGenerator, SafetensorsFile) {
        let weights = try ReferenceFixtures.load("generator-\(name)-weights.safetensors")
        func setting(_ key: String) throws -> Int { try XCTUnwrap(Int(weights.metadata[key] ?? "")) }
        let configuration = SkipGeneratorConfiguration(scales: try setting("scales"), downChannels: try setting("down"),
                                                       upChannels: try setting("up"), skipChannels: try setting("skip"))
        let model = try SkipGenerator(configuration: configuration)
        try model.load(weights: weights.tensors, source: "generator-\(name)-weights.safetensors")
        XCTAssertEqual(model.trainableParameterCount(), try setting("parameters"))
        XCTAssertEqual(configuration.parameterCount, try setting("parameters"))
        return (model, try ReferenceFixtures.load("generator-\(name)-reference.safetensors"))
    }

    private func checkForwardAndBuffers(_ name: String) throws {
        let (model, reference) = try generator(name)
        let input = try ReferenceFixtures.tensor(reference, "input")
        let output = try model(input)
        XCTAssertLessThanOrEqual(try relativeError(output, try ReferenceFixtures.tensor(reference, "output_train")), 1e-4, name)
        // The running statistics after that one training-mode call (unbiased variance, momentum 0.1).
        let buffers = try model.weightsInFileLayout().filter { $0.key.hasSuffix("running_mean") || $0.key.hasSuffix("running_var") }
        XCTAssertFalse(buffers.isEmpty)
        for (key, value) in buffers {
            XCTAssertLessThanOrEqual(try relativeError(value, try ReferenceFixtures.tensor(reference, "after.\(key)")), 1e-4, key)
        }
        let counter = try model.weightsInFileLayout()["2.num_batches_tracked"]
        XCTAssertEqual(try XCTUnwrap(counter).item(Int64.self), 4)
    }

    func testTrainingModeForwardAndRunningStatisticsMatchPyTorch() throws {
        try checkForwardAndBuffers("even")
        // Odd sides (27 × 37): the upsampled maps are one larger and are cropped in the Concat.
        try checkForwardAndBuffers("odd")
    }

    func testEvaluationModeUsesRunningStatistics() throws {
        for name in ["even", "odd"] {
            let (model, reference) = try generator(name)
            model.setTraining(false)
            let output = try model(try ReferenceFixtures.tensor(reference, "input"))
            XCTAssertLessThanOrEqual(try relativeError(output, try ReferenceFixtures.tensor(reference, "output_eval")), 1e-4, name)
        }
    }

    func testGradientsOfAScalarMatchPyTorch() throws {
        let (model, reference) = try generator("even")
        let input = try ReferenceFixtures.tensor(reference, "input")
        let count = input.dim(0) * input.dim(1) * input.dim(2) * 4
        // The script's cotangent: sin(0.37·i) in NHWC order.
        let cotangent = try MLXArray((0..<count).map { Float(Foundation.sin(0.37 * Double($0))) }, shape: [input.dim(0), input.dim(1), input.dim(2), 4])
        let (_, gradients) = try model.valueAndGradients { try (model(input) * cotangent).sum() }
        let expectedKeys = reference.tensors.keys.filter { $0.hasPrefix("grad.") }
        XCTAssertEqual(Set(gradients.keys), Set(expectedKeys.map { String($0.dropFirst(5)) }))
        // Conv biases followed (through a reflection-padded conv at most) by a BatchNorm have a
        // gradient of exactly 0 — a per-channel constant is normalised away — so PyTorch's values
        // there are rounding noise (≤ 1e-5): those are checked against the largest gradient.
        let largest = try expectedKeys.map { try abs(ReferenceFixtures.tensor(reference, $0)).max().item(Float.self) }.reduce(0, max)
        for key in expectedKeys {
            let name = String(key.dropFirst(5))
            let parameter = try XCTUnwrap(model.namedParameters().first { $0.key == name }?.parameter)
            let gradient = try parameter.fileLayout.toFile(try XCTUnwrap(gradients[name]))
            let expected = try ReferenceFixtures.tensor(reference, key)
            if try abs(expected).max().item(Float.self) < 1e-4 * largest {
                XCTAssertLessThanOrEqual(try abs(gradient).max().item(Float.self), 1e-4 * largest, "\(name) should vanish")
                continue
            }
            // 1e-4 relative per tensor, as the forward pass.
            XCTAssertLessThanOrEqual(try relativeError(gradient, expected), 1e-4, name)
        }
        XCTAssertGreaterThan(largest, 0)
    }

    func testSavedKeysAreText2LIVEStateDictKeys() throws {
        let (model, _) = try generator("even")
        let weights = try ReferenceFixtures.load("generator-even-weights.safetensors")
        XCTAssertEqual(Set(try model.weightsInFileLayout().keys), Set(weights.tensors.keys))
        let colours = try XCTUnwrap(weights.tensors["9.colcorr_t"])
        XCTAssertLessThanOrEqual(try relativeError(try ColourDecorrelation.defaultMatrix(), colours), 1e-6)
    }
}
