import MLXCore
import NN
import Prior
import XCTest
@testable import LayeredEditing

/// The generic operations the editor is built from, against PyTorch/torchvision
/// (scripts/make_edit_reference.py → Fixtures/ops-reference.safetensors).
final class OperationParityTests: XCTestCase {
    private var reference: SafetensorsFile!

    override func setUpWithError() throws {
        reference = try ReferenceFixtures.load("ops-reference.safetensors")
    }

    private func tensor(_ key: String) throws -> MLXArray { try ReferenceFixtures.tensor(reference, key) }

    func testReflectionPaddingMatchesReflectionPad2d() throws {
        let input = try tensor("pad.input")
        // Pure copies: exact.
        XCTAssertEqual(try relativeError(try input.reflectionPadded2d(1), try tensor("pad.1")), 0)
        XCTAssertEqual(try relativeError(try input.reflectionPadded2d(3), try tensor("pad.3")), 0)
        XCTAssertThrowsError(try input.reflectionPadded2d(5))  // PyTorch also needs pad < side (5 × 7)
    }

    func testBilinearUpsamplingMatchesUpsample() throws {
        // Two products and a sum per value: 1e-6.
        XCTAssertLessThanOrEqual(try relativeError(try tensor("pad.input").upsampledBilinear2x(), try tensor("upsample.output")), 1e-6)
    }

    func testBilinearResizeMatchesInterpolateWithAndWithoutAntialiasing() throws {
        let input = try tensor("resize.input")  // 23 × 17
        for (height, width) in [(9, 7), (11, 40), (30, 5), (23, 6)] {
            for antialias in [false, true] {
                let expected = try tensor("resize.\(height)x\(width).\(antialias ? "aa" : "plain")")
                let actual = try input.resizedBilinear(height: height, width: width, antialias: antialias)
                // Weights computed in float (PyTorch) vs double (here, antialiased): 1e-5.
                XCTAssertLessThanOrEqual(try relativeError(actual, expected), 1e-5, "\(height)×\(width) antialias \(antialias)")
            }
        }
    }

    func testBatchNormMatchesBatchNorm2dInTrainingAndEvaluation() throws {
        let norm = try BatchNorm(3)
        norm.weight.value = try MLXArray([1.5, -0.5, 0.8] as [Float])
        norm.bias.value = try MLXArray([0.1, 0.2, -0.3] as [Float])
        for index in 0..<2 {
            let output = try norm(try tensor("batchnorm.input\(index)"))
            XCTAssertLessThanOrEqual(try relativeError(output, try tensor("batchnorm.train\(index)")), 1e-5)
        }
        XCTAssertLessThanOrEqual(try relativeError(norm.runningMean.value, try tensor("batchnorm.running_mean")), 1e-5)
        XCTAssertLessThanOrEqual(try relativeError(norm.runningVar.value, try tensor("batchnorm.running_var")), 1e-5)
        XCTAssertEqual(try norm.numBatchesTracked.value.item(Int64.self), try tensor("batchnorm.num_batches_tracked").item(Int64.self))
        norm.training = false
        XCTAssertLessThanOrEqual(try relativeError(try norm(try tensor("batchnorm.input2")), try tensor("batchnorm.eval2")), 1e-5)
    }

    func testColourJitterMatchesTorchvision() throws {
        let picture = try tensor("jitter.input")
        let cases: [(String, MLXArray)] = [
            ("brightness", try ColourJitter.adjustBrightness(picture, 1.07)),
            ("contrast", try ColourJitter.adjustContrast(picture, 0.93)),
            ("saturation", try ColourJitter.adjustSaturation(picture, 1.08)),
            ("hue_minus", try ColourJitter.adjustHue(picture, -0.07)),
            ("hue_plus", try ColourJitter.adjustHue(picture, 0.09)),
        ]
        for (name, actual) in cases {
            // float32 HSV round trip: 1e-5.
            XCTAssertLessThanOrEqual(try relativeError(actual, try tensor("jitter.\(name)")), 1e-5, name)
        }
    }

    func testSelfSimilarityMatchesText2LIVEsCosineSimilarity() throws {
        let a = try tensor("similarity.a"), b = try tensor("similarity.b")  // [2, 6, 7, 5]
        XCTAssertEqual(SelfSimilarity.stride(height: 6, width: 7, maximumTokens: 42), 1)
        XCTAssertEqual(SelfSimilarity.stride(height: 6, width: 7, maximumTokens: 41), 2)  // ⌈6/2⌉·⌈7/2⌉ = 12
        for (stride, tokens) in [(1, 42), (2, 12)] {
            let matrix = try SelfSimilarity.matrix(a, maximumTokens: tokens)
            XCTAssertLessThanOrEqual(try relativeError(matrix, try tensor("similarity.matrix_stride\(stride)")), 1e-5)
            let loss = try StructureLoss(maximumTokens: tokens).loss(inputFeatures: a, compositeFeatures: b)
            XCTAssertEqual(try loss.item(Float.self), try tensor("similarity.mse_stride\(stride)").item(Float.self), accuracy: 1e-6)
        }
    }
}
