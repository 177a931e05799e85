import Foundation
import MLXCore
import XCTest
@testable import StyleGAN

/// The discriminator against scripts/make_stylegan_reference.py (equal to rosinality's code):
/// scores, and the gradient with respect to the pictures (what R1 and the generator's loss use).
final class DiscriminatorParityTests: XCTestCase {
    func checkCase(_ name: String) throws {
        let weights = try SafetensorsFile.load(GeneratorParityTests.fixture("discriminator-\(name).safetensors")).tensors
        let discriminator = try StyleGAN2Discriminator(weights: weights, size: 16, channels: [12, 10, 6], source: name)
        let inputs = try SafetensorsFile.load(GeneratorParityTests.fixture("discriminator-\(name).inputs.safetensors")).tensors
        let outputs = try SafetensorsFile.load(GeneratorParityTests.fixture("discriminator-\(name).outputs.safetensors")).tensors
        let pictures = try inputs["images"]!.transposed([0, 2, 3, 1])
        XCTAssertLessThanOrEqual(try GeneratorParityTests.relativeError(discriminator(pictures), outputs["score"]!), 1e-4, name)
        let c = inputs["grad_weights"]!
        let gradient = try grad({ [try (discriminator($0[0]) * c).sum()] })([pictures])[0]
        XCTAssertLessThanOrEqual(try GeneratorParityTests.relativeError(GeneratorParityTests.channelsFirst(gradient), outputs["grad_images"]!),
                                 1e-4, name)
    }

    func testBatchOfFour() throws { try checkCase("16-batch4") }
    func testBatchOfTwo() throws { try checkCase("16-batch2") }

    func testKeysAreRosinalitys() throws {
        let weights = try SafetensorsFile.load(GeneratorParityTests.fixture("discriminator-16-batch4.safetensors")).tensors
        let ours = try StyleGAN2Discriminator(size: 16, channels: [12, 10, 6], seed: 1).weightsInFileLayout()
        XCTAssertEqual(Set(ours.keys), Set(weights.keys.filter { !$0.hasSuffix(".kernel") }))
        for (key, value) in ours { XCTAssertEqual(value.shape, weights[key]!.shape, key) }
    }
}
