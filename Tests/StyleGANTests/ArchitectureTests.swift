import Foundation
import MLXCore
import XCTest
@testable import StyleGAN

/// The architecture comes from the tensor shapes; a state dict that is no generator is named.
final class ArchitectureTests: XCTestCase {
    func weights() throws -> [String: MLXArray] {
        StyleGAN2Checkpoint.generatorWeights(from: try SafetensorsFile.load(GeneratorParityTests.fixture("stylegan-32.safetensors")).tensors).weights
    }

    func testInferredFromShapes() throws {
        let architecture = try StyleGAN2Architecture.inferred(from: weights(), source: "x")
        XCTAssertEqual(architecture, try StyleGAN2Architecture(size: 32, styleDimension: 16, mappingLayers: 2, channels: [12, 10, 6, 5]))
        XCTAssertEqual(architecture.latentCount, 8)
        XCTAssertEqual(architecture.noiseCount, 7)
        let configF = try StyleGAN2Architecture.rosinality(size: 1024)
        XCTAssertEqual(configF.channels, [512, 512, 512, 512, 512, 256, 128, 64, 32])
        XCTAssertEqual(configF.latentCount, 18)
    }

    func testMissingAndMisshapenKeysAreNamed() throws {
        var w = try weights()
        w.removeValue(forKey: "convs.3.noise.weight")
        XCTAssertThrowsError(try StyleGAN2Generator(weights: w, source: "g.pt")) { error in
            XCTAssertEqual("\(error)", "g.pt is not a StyleGAN2 generator: no tensor 'convs.3.noise.weight'")
        }
        w = try weights()
        w["to_rgbs.1.conv.weight"] = try zeros([1, 3, 7, 1, 1])
        XCTAssertThrowsError(try StyleGAN2Generator(weights: w, source: "g.pt")) { error in
            XCTAssertTrue("\(error)".contains("'to_rgbs.1.conv.weight' has shape [1, 3, 7, 1, 1], expected [1, 3, 6, 1, 1]"), "\(error)")
        }
        XCTAssertThrowsError(try StyleGAN2Generator(weights: ["unet.conv_in.weight": try zeros([1])], source: "sd.safetensors")) { error in
            XCTAssertEqual("\(error)", "sd.safetensors is not a StyleGAN2 generator: no tensor 'input.input'")
        }
    }

    func testWrongCodesAreNamed() throws {
        let generator = try StyleGAN2Generator(weights: weights(), source: "x")
        XCTAssertThrowsError(try generator(try zeros([2, 15]))) { XCTAssertEqual("\($0)", "z must be [B, 16], got [2, 15]") }
        XCTAssertThrowsError(try generator.synthesize(try zeros([2, 7, 16]))) { XCTAssertTrue("\($0)".contains("[B, 8, 16]"), "\($0)") }
    }
}
