import Diffusion
import Foundation
import MLXCore
import XCTest
@testable import ToyWorld

private struct FlatColourImages: TrainingBatchSource {
    func batch(index: Int, size: Int) throws -> (images: MLXArray, captions: [String]) {
        (try full([size, 64, 64, 3], value: 0.5), Array(repeating: "a blue sphere", count: size))
    }
}

/// An exported toy model is a diffusers folder that the loaders and the pipeline accept as is.
final class ToyModelExportTests: XCTestCase {
    func testExportedFolderLoadsAndGenerates() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("toy-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var configuration = ToyTrainingConfiguration()
        configuration.batchSize = 2
        let trainer = try ToyTrainer(configuration: configuration, data: FlatColourImages(),
                                     stateFolder: root.appendingPathComponent("state"), resume: false)
        let modelFolder = root.appendingPathComponent("model")
        try ToyModelExport.write(trainer, to: modelFolder)

        let folder = try ModelFolder(path: modelFolder.path)
        let pipeline = try StableDiffusion.load(folder)
        // Weights went through float16 on disk: equal to the trainer's after the same rounding.
        let exported = try trainer.unet.namedParameters()[0].parameter.value.asType(.float16).asType(.float32)
        let loaded = pipeline.unet.namedParameters()[0].parameter.value
        XCTAssertEqual(try exported.toArray(Float.self), try loaded.toArray(Float.self))
        XCTAssertEqual(pipeline.defaultImageSize, ToyModelArchitecture.imageSize)

        var settings = GenerationSettings(prompt: "a blue sphere")
        settings.steps = 2
        let images = try pipeline.generate(settings)
        XCTAssertEqual(images.first?.shape, [64, 64, 3])
    }
}
