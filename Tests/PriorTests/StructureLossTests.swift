import Diffusion
import MLXCore
import NN
import XCTest
@testable import Prior

/// The structure term through a tiny random VAE encoder.
final class StructureLossTests: XCTestCase {
    private func tinyVAE() throws -> AutoencoderKL {
        try InitializationKeys.seed(7)
        var c = VAEConfiguration()
        c.blockOutChannels = [8, 16, 16]
        c.normGroups = 4
        return try AutoencoderKL(configuration: c)
    }

    func testZeroForIdenticalPicturesAndPositiveOtherwise() throws {
        let vae = try tinyVAE()
        let structure = StructureLoss()
        let picture = try Random.uniform([2, 16, 16, 3], key: try Random.key(1))
        XCTAssertEqual(try structure.loss(input: picture, composite: picture, vae: vae).item(Float.self), 0)
        let changed = try clip(picture + Random.normal([2, 16, 16, 3], std: 0.2, key: try Random.key(2)), min: 0, max: 1)
        XCTAssertGreaterThan(try structure.loss(input: picture, composite: changed, vae: vae).item(Float.self), 1e-6)
        // A global colour change of the picture keeps more of its structure than noise does.
        let tinted = try picture * 0.9 + 0.05
        XCTAssertLessThan(try structure.loss(input: picture, composite: tinted, vae: vae).item(Float.self),
                          try structure.loss(input: picture, composite: changed, vae: vae).item(Float.self))
    }

    func testGradientMatchesCentralFiniteDifferences() throws {
        // float32: MLX's CPU convolution has no float64 gradient path ("[Convolution::eval] got
        // unsupported data type"), though its forward pass runs in float64.
        let vae = try tinyVAE()
        let structure = StructureLoss(layer: .downBlock(1))
        let shape = [1, 8, 8, 3]
        let input = try Random.uniform(shape, key: try Random.key(3))
        let start = try (input + Random.normal(shape, std: 0.3, key: try Random.key(4))).toArray(Float.self)
        func loss(_ values: [Float]) throws -> Float {
            try structure.loss(input: input, composite: try MLXArray(values, shape: shape), vae: vae).item(Float.self)
        }
        let gradient = try grad({ [try structure.loss(input: input, composite: $0[0], vae: vae)] })([try MLXArray(start, shape: shape)])[0]
            .toArray(Float.self)
        let largest = gradient.map(abs).reduce(0, max)
        XCTAssertGreaterThan(largest, 1e-3)
        // Step 1e-2 on a loss of ≈ 0.02: rounding ≈ 6e-8·|f|/h ≈ 1e-7 and truncation (measured
        // ≤ 1e-6 on the largest coordinates) stay below 1e-3 of the largest gradient (≈ 1.2e-5).
        for index in gradient.indices {
            var plus = start, minus = start
            plus[index] += 1e-2
            minus[index] -= 1e-2
            XCTAssertEqual(gradient[index], (try loss(plus) - loss(minus)) / 2e-2, accuracy: 1e-3 * largest, "coordinate \(index)")
        }
    }

    func testSubsamplingKeepsAtMostTheTokenBudget() throws {
        XCTAssertEqual(SelfSimilarity.stride(height: 64, width: 64, maximumTokens: 1024), 2)  // SD at 512²: 32 × 32
        XCTAssertEqual(SelfSimilarity.stride(height: 16, width: 16, maximumTokens: 1024), 1)  // the toy VAE's 16 × 16
        XCTAssertEqual(SelfSimilarity.stride(height: 96, width: 64, maximumTokens: 1024), 3)  // 32·22 = 704
        // 10 × 9 with at most 20 positions: stride 2 keeps 5·5 = 25, stride 3 keeps 4·3 = 12.
        let features = try Random.normal([1, 10, 9, 4], key: try Random.key(5))
        let matrix = try SelfSimilarity.matrix(features, maximumTokens: 20)
        XCTAssertEqual(matrix.shape, [1, 12, 12])
        let values = try matrix.toArray(Float.self)
        for i in 0..<12 { XCTAssertEqual(values[i * 12 + i], 1, accuracy: 1e-6) }  // cos(x, x)
    }
}
