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

private struct NaNImages: TrainingBatchSource {
    func batch(index: Int, size: Int) throws -> (images: MLXArray, captions: [String]) {
        (try full([size, 64, 64, 3], value: Float.nan), Array(repeating: "a red cube", count: size))
    }
}

/// The decoder stage changes the decoder only: the encoder, and so the latents the UNet learnt, stay;
/// a run resumed inside a stage equals the straight run; a NaN stops it with the checkpoint kept.
final class ToyTrainerStagesTests: XCTestCase {
    private func small(vae: Int, diffusion: Int) -> ToyTrainingConfiguration {
        var configuration = ToyTrainingConfiguration()
        configuration.vaeSteps = vae
        configuration.diffusionSteps = diffusion
        configuration.decoderSteps = 0
        configuration.batchSize = 2
        configuration.vaeBatchSize = 2
        configuration.checkpointEvery = 1
        return configuration
    }

    private func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("toy-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func parameters(_ trainer: ToyTrainer) throws -> [String: [Float]] {
        try (trainer.vae.namedParameters() + trainer.unet.namedParameters() + trainer.textEncoder.namedParameters())
            .reduce(into: [:]) { $0[$1.key] = try $1.parameter.value.toArray(Float.self) }
    }

    /// A run killed inside a stage: the state file as it was when `stage`'s step `step` was
    /// reported (checkpoints are written after each report, so it holds step − 1), copied to a
    /// fresh folder.
    private func killedRun(_ configuration: ToyTrainingConfiguration, at stage: ToyTrainer.Stage, step: Int) throws -> URL {
        let running = folder(), killed = folder()
        try FileManager.default.createDirectory(at: killed, withIntermediateDirectories: true)
        let trainer = try ToyTrainer(configuration: configuration, data: GradientImages(), stateFolder: running, resume: false)
        try trainer.train { reported, number, _, _ in
            guard reported == stage, number == step else { return }
            try? FileManager.default.copyItem(at: running.appendingPathComponent("state.safetensors"),
                                              to: killed.appendingPathComponent("state.safetensors"))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: killed.appendingPathComponent("state.safetensors").path))
        return killed
    }

    /// Killed inside the VAE stage and inside the diffusion stage, a resumed run ends with exactly
    /// the straight run's weights and latent scaling.
    func testResumeInsideAStageEqualsTheStraightRun() throws {
        let configuration = small(vae: 3, diffusion: 3)
        let straight = try ToyTrainer(configuration: configuration, data: GradientImages(), stateFolder: folder(), resume: false)
        try straight.train { _, _, _, _ in }
        for (stage, step) in [(ToyTrainer.Stage.vae, 3), (.diffusion, 2)] {
            let resumed = try ToyTrainer(configuration: configuration, data: GradientImages(),
                                         stateFolder: try killedRun(configuration, at: stage, step: step), resume: true)
            try resumed.train { _, _, _, _ in }
            XCTAssertEqual(resumed.vae.scalingFactor, straight.vae.scalingFactor, "\(stage)")
            XCTAssertEqual(try parameters(resumed), try parameters(straight), "\(stage)")
        }
    }

    /// The bug guarded against (found by this test): a VAE stage extended on resume (killed after
    /// the scaling was measured, before the first diffusion checkpoint) kept the scaling factor
    /// measured after its earlier steps. It must end as a straight run with the longer VAE stage.
    func testExtendedVAEStageRemeasuresTheScaling() throws {
        let straight = try ToyTrainer(configuration: small(vae: 4, diffusion: 2), data: GradientImages(), stateFolder: folder(), resume: false)
        try straight.train { _, _, _, _ in }
        let killed = try killedRun(small(vae: 3, diffusion: 2), at: .diffusion, step: 1)
        let resumed = try ToyTrainer(configuration: small(vae: 4, diffusion: 2), data: GradientImages(), stateFolder: killed, resume: true)
        var stages: [ToyTrainer.Stage] = []
        try resumed.train { stage, _, _, _ in stages.append(stage) }
        XCTAssertEqual(stages, [.vae, .diffusion, .diffusion])
        XCTAssertEqual(resumed.vae.scalingFactor, straight.vae.scalingFactor)
        XCTAssertEqual(try parameters(resumed), try parameters(straight))
    }

    /// The bug guarded against: a diverged toy run overwriting its last good checkpoint.
    func testNonFiniteLossStopsAndKeepsTheCheckpoint() throws {
        let state = folder()
        try ToyTrainer(configuration: small(vae: 2, diffusion: 1), data: GradientImages(), stateFolder: state, resume: false).train { _, _, _, _ in }
        let path = state.appendingPathComponent("state.safetensors")
        let saved = try Data(contentsOf: path)
        let poisoned = try ToyTrainer(configuration: small(vae: 2, diffusion: 3), data: NaNImages(), stateFolder: state, resume: true)
        XCTAssertThrowsError(try poisoned.train { _, _, _, _ in }) { error in
            XCTAssertEqual(error as? ToyTrainingError, .nonFinite(stage: "diffusion", step: 2))
            XCTAssertTrue("\(error)".contains("the last checkpoint is kept"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: path), saved)
    }

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
