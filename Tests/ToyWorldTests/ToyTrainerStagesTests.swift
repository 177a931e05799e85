import Foundation
import MLXCore
import NN
import XCTest
@testable import ToyWorld

private struct GradientImages: TrainingBatchSource {
    func batch(index: Int, size: Int) throws -> (images: MLXArray, captions: [String]) {
        let ramp = try linspace(-1, 1, count: 64).reshaped([1, 1, 64, 1])
        let images = try (ramp * Float(index % 3 + 1) / 3).broadcast(to: [size, 64, 64, 3])
        return (images, Array(repeating: "a red cube", count: size))
    }
}

/// The decoder stage changes the decoder only: the encoder, and so the latents the UNet learnt, stay.
final class ToyTrainerStagesTests: XCTestCase {
    func testDecoderStageLeavesTheEncoderAndUNetAlone() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("toy-stages-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = ToyTrainingConfiguration()
        configuration.vaeSteps = 2
        configuration.diffusionSteps = 2
        configuration.decoderSteps = 0
        configuration.batchSize = 2
        configuration.vaeBatchSize = 2
        let trainer = try ToyTrainer(configuration: configuration, data: GradientImages(), stateFolder: folder, resume: false)
        try trainer.train { _, _, _, _ in }
        func snapshot(_ prefix: String, of parameters: [(key: String, parameter: Parameter)]) throws -> [String: [Float]] {
            try parameters.filter { $0.key.hasPrefix(prefix) }.reduce(into: [:]) { $0[$1.key] = try $1.parameter.value.toArray(Float.self) }
        }
        let encoder = try snapshot("encoder.", of: trainer.vae.namedParameters())
        let decoder = try snapshot("decoder.", of: trainer.vae.namedParameters())
        let unet = try snapshot("", of: trainer.unet.namedParameters())

        configuration.decoderSteps = 3
        let resumed = try ToyTrainer(configuration: configuration, data: GradientImages(), stateFolder: folder, resume: true)
        var stages: [ToyTrainer.Stage] = []
        try resumed.train { stage, _, _, _ in stages.append(stage) }
        XCTAssertEqual(stages, [.decoder, .decoder, .decoder], "only the new decoder steps run")
        XCTAssertEqual(resumed.progress, ToyTrainingProgress(vaeSteps: 2, diffusionSteps: 2, decoderSteps: 3, scalingMeasured: true))
        XCTAssertEqual(try snapshot("encoder.", of: resumed.vae.namedParameters()), encoder)
        XCTAssertEqual(try snapshot("", of: resumed.unet.namedParameters()), unet)
        XCTAssertNotEqual(try snapshot("decoder.", of: resumed.vae.namedParameters()), decoder)
        XCTAssertFalse(resumed.vae.namedParameters().contains { $0.parameter.isFrozen }, "freezing ends with the stage")
    }
}
