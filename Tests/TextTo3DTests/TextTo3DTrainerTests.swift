import Diffusion
import Foundation
import Runs
import MLXCore
import Prior
import XCTest
@testable import TextTo3D

/// Training on the shipped toy model with a small field: the loop, its checkpoints and its errors.
final class TextTo3DTrainerTests: XCTestCase {
    static let modelFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/toy-world").path

    static func smallConfiguration(iterations: Int) -> TextTo3DConfiguration {
        var c = TextTo3DConfiguration(prompt: "a red cube", model: Self.modelFolder)
        c.iterations = iterations
        c.samplesPerRay = 16
        c.hashGrid.levels = 4
        c.hashGrid.log2TableSize = 12
        c.hashGrid.finestResolution = 32
        c.hashGrid.hiddenWidth = 32
        c.saveEvery = 2
        c.prior.guidanceScale = 7.5  // the toy model's latent_prior.json
        return c
    }

    /// The prior's loss at fixed views, timesteps and noise, so runs can be compared.
    func fixedPriorLoss(_ trainer: TextTo3DTrainer) throws -> Float {
        let prior = try LatentDiffusionPrior(unet: trainer.pipeline.unet, vae: trainer.pipeline.vae,
                                             schedule: trainer.pipeline.schedule, configuration: trainer.configuration.prior)
        var total: Float = 0
        for (index, azimuth) in [0, 90, 180, 270].enumerated() {
            let camera = OrbitCamera(azimuth: Float(azimuth), elevation: 15, radius: 3.2, fieldOfView: 40)
            let view = try trainer.renderer.render(trainer.field, camera: camera, width: trainer.latentSize, height: trainer.latentSize,
                                                      background: trainer.scene.background.value)
            let noise = try Random.normal(view.latents.shape, key: Random.key(UInt64(100 + index)))
            for t in [200, 500, 800] {
                let evaluation = try prior.evaluate(latents: view.latents, conditioning: trainer.prompts.conditioning(for: camera),
                                                    noise: noise, timesteps: [t])
                total += try evaluation.totalLoss(prior.configuration).item(Float.self)
            }
        }
        return total / 12
    }

    func testIterationsDecreaseThePriorLoss() throws {
        let trainer = try TextTo3DTrainer(configuration: Self.smallConfiguration(iterations: 40), pipeline: pipeline(),
                                          run: temporaryRun(), resume: false)
        let before = try fixedPriorLoss(trainer)
        try trainer.train { _ in }
        let after = try fixedPriorLoss(trainer)
        XCTAssertLessThan(after, before * 0.9, "prior loss \(before) → \(after)")
    }

    func testInterruptedRunResumesToTheSameField() throws {
        let pipeline = try pipeline()
        let straight = try TextTo3DTrainer(configuration: Self.smallConfiguration(iterations: 4), pipeline: pipeline, run: temporaryRun(), resume: false)
        try straight.train { _ in }

        let run = try temporaryRun()
        let first = try TextTo3DTrainer(configuration: Self.smallConfiguration(iterations: 2), pipeline: pipeline, run: run, resume: false)
        try first.train { _ in }
        let resumed = try TextTo3DTrainer(configuration: Self.smallConfiguration(iterations: 4), pipeline: pipeline, run: run, resume: true)
        XCTAssertEqual(resumed.completedSteps, 2)
        try resumed.train { _ in }
        for ((key, a), (_, b)) in zip(straight.scene.namedParameters(), resumed.scene.namedParameters()) {
            XCTAssertEqual(try a.value.toArray(Float.self), try b.value.toArray(Float.self), key)
        }
        let rows = try String(contentsOfFile: run.file("losses.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 5, "header + one row per iteration, none repeated")
    }

    /// The bug guarded against: a non-finite loss in text-to-3D still moving the field or rewriting
    /// the checkpoint. A checkpoint whose field parameters are scaled to 1e30 is resumed: the run
    /// stops at the next step naming it, and the file stays byte for byte as it was.
    func testNonFiniteLossStopsAndKeepsTheCheckpoint() throws {
        let pipeline = try pipeline()
        let run = try temporaryRun()
        try TextTo3DTrainer(configuration: Self.smallConfiguration(iterations: 2), pipeline: pipeline, run: run, resume: false).train { _ in }
        var file = try SafetensorsFile.load(run.checkpointPath)
        var poisoned = 0
        for (key, value) in file.tensors where !key.hasPrefix("adam") && value.dtype == .float32 {
            file.tensors[key] = try value * MLXArray(Float(1e30))
            poisoned += 1
        }
        XCTAssertGreaterThan(poisoned, 0, "the checkpoint holds the field: \(file.tensors.keys.sorted())")
        try file.save(run.checkpointPath)
        let saved = try Data(contentsOf: URL(fileURLWithPath: run.checkpointPath))
        XCTAssertThrowsError(try TextTo3DTrainer(configuration: Self.smallConfiguration(iterations: 4), pipeline: pipeline, run: run, resume: true)
            .train { _ in }) { error in
            guard case let RunError.nonFinite(step, _, lastCheckpointStep) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(step, 3)
            XCTAssertEqual(lastCheckpointStep, 2)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: run.checkpointPath)), saved, "the checkpoint of step 2 is unchanged")
    }

    /// The run's take-away files: the mesh simplified to the asked triangle count (the bug guarded
    /// against: the 400k-triangle iso-surface exported as is), closed, in OBJ, PLY and GLB; and a
    /// threshold no density reaches gives no mesh but a threshold that would.
    func testOutputsHoldASimplifiedClosedMeshInEveryFormat() throws {
        var c = Self.smallConfiguration(iterations: 2)
        c.views = 2
        c.turntableFrames = 2
        c.meshResolution = 40
        c.meshTriangles = 600
        let trainer = try TextTo3DTrainer(configuration: c, pipeline: pipeline(), run: temporaryRun(), resume: false)
        try trainer.train { _ in }
        let outputs = try trainer.writeOutputs()
        let mesh = try XCTUnwrap(outputs.mesh)
        XCTAssertLessThanOrEqual(outputs.meshTriangles, 600)
        XCTAssertGreaterThan(outputs.extractedTriangles, outputs.meshTriangles)
        XCTAssertTrue(outputs.meshIsClosed)
        for path in [mesh.obj, mesh.ply, mesh.glb] { XCTAssertTrue(FileManager.default.fileExists(atPath: path), path) }
        let glb = try Data(contentsOf: URL(fileURLWithPath: mesh.glb))
        XCTAssertEqual(glb.prefix(4), Data("glTF".utf8))
        XCTAssertNil(outputs.suggestedThreshold)
        // The turntable: one frame per --turntable-frames, upscaled to at least 256 pixels.
        let gif = try GIFStructure(Data(contentsOf: URL(fileURLWithPath: outputs.turntableGIF)))
        XCTAssertEqual(gif.frames, c.turntableFrames)
        XCTAssertGreaterThanOrEqual(gif.width, 256)
        XCTAssertEqual(outputs.views.count, c.views)

        var unreachable = c
        unreachable.meshDensityThreshold = 1e6
        let empty = try TextTo3DTrainer(configuration: unreachable, pipeline: pipeline(), run: temporaryRun(), resume: false)
        try empty.train { _ in }
        let none = try empty.writeOutputs()
        XCTAssertNil(none.mesh)
        let suggestion = try XCTUnwrap(none.suggestedThreshold)
        XCTAssertLessThan(suggestion.suggestion, suggestion.largest)
        XCTAssertGreaterThan(suggestion.suggestion, 0)
        var retry = unreachable
        retry.meshDensityThreshold = suggestion.suggestion
        XCTAssertFalse(try FieldMesh.extract(empty.field, resolution: 40, threshold: suggestion.suggestion,
                                             colours: LatentColourMap(coefficients: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]))
                        .triangles.isEmpty, "the suggested threshold finds a surface")
    }

    /// view_losses.csv holds every view of every step (camera, t, losses), and losses.csv their
    /// means; with Perp-Neg on, the run trains and its field differs from a run without it.
    func testEveryViewIsLoggedAndPerpNegChangesTheRun() throws {
        let pipeline = try pipeline()
        var c = Self.smallConfiguration(iterations: 2)
        c.viewsPerStep = 3
        c.perpNeg = PerpNegSettings()
        let run = try temporaryRun()
        let trainer = try TextTo3DTrainer(configuration: c, pipeline: pipeline, run: run, resume: false)
        var steps: [TextTo3DStep] = []
        try trainer.train { steps.append($0) }
        let rows = try String(contentsOfFile: run.file("view_losses.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",") }
        XCTAssertEqual(rows[0].joined(separator: ","), "step,view_index,azimuth,elevation,view,t,lsd,fm,kl,opacity_entropy,sparsity")
        XCTAssertEqual(rows.count, 1 + 2 * 3)
        for step in steps {
            let mine = rows.dropFirst().filter { Int($0[0]) == step.step }
            XCTAssertEqual(mine.map { Int($0[1])! }, [0, 1, 2])
            let camera = c.cameras.camera(step: step.step, view: 2)
            XCTAssertEqual(Float(mine[2][2])!, camera.azimuth, accuracy: 0.01)
            let meanLSD = mine.map { Float($0[6])! }.reduce(0, +) / 3
            XCTAssertEqual(meanLSD, step.lsd, accuracy: 1e-3 * max(1, step.lsd))
            XCTAssertEqual(Int(mine[0][5])!, step.timestep)
        }
        var plain = c
        plain.perpNeg = nil
        let without = try TextTo3DTrainer(configuration: plain, pipeline: pipeline, run: temporaryRun(), resume: false)
        try without.train { _ in }
        XCTAssertNotEqual(try trainer.scene.namedParameters()[0].parameter.value.toArray(Float.self),
                          try without.scene.namedParameters()[0].parameter.value.toArray(Float.self))
        var noViews = c
        noViews.viewDependentPrompts = false
        XCTAssertThrowsError(try noViews.validated()) { XCTAssertTrue("\($0)".contains("--perp-neg"), "\($0)") }
    }

    func testResumingWithAnotherBackboneIsRefused() throws {
        let pipeline = try pipeline()
        let run = try temporaryRun()
        try TextTo3DTrainer(configuration: Self.smallConfiguration(iterations: 2), pipeline: pipeline, run: run, resume: false).train { _ in }
        var other = Self.smallConfiguration(iterations: 4)
        other.backbone = .voxel
        XCTAssertThrowsError(try TextTo3DTrainer(configuration: other, pipeline: pipeline, run: run, resume: true)) { error in
            XCTAssertTrue("\(error)".contains("backbone"), "\(error)")
        }
    }

    func testBadSettingsAreNamed() {
        var zero = Self.smallConfiguration(iterations: 0)
        XCTAssertThrowsError(try zero.validated()) { XCTAssertTrue("\($0)".contains("--iterations"), "\($0)") }
        zero = Self.smallConfiguration(iterations: 5)
        zero.prompt = "  "
        XCTAssertThrowsError(try zero.validated()) { XCTAssertTrue("\($0)".contains("prompt is empty"), "\($0)") }
        zero = Self.smallConfiguration(iterations: 5)
        zero.radius = .init(1.2, 1.5)
        XCTAssertThrowsError(try zero.validated()) { XCTAssertTrue("\($0)".contains("radius"), "\($0)") }
    }
}

/// Frame count and size of a GIF, read by walking its blocks as the GIF89a specification lays
/// them out (independent of our encoder).
private struct GIFStructure {
    var width = 0, height = 0, frames = 0

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 13, bytes.starts(with: Array("GIF89a".utf8)) else { throw CocoaError(.fileReadCorruptFile) }
        width = Int(bytes[6]) | Int(bytes[7]) << 8
        height = Int(bytes[8]) | Int(bytes[9]) << 8
        var position = 13 + (bytes[10] & 0x80 != 0 ? 3 << (Int(bytes[10] & 7) + 1) : 0)
        func skipSubBlocks() {
            while position < bytes.count, bytes[position] != 0 { position += Int(bytes[position]) + 1 }
            position += 1
        }
        while position < bytes.count {
            switch bytes[position] {
            case 0x21:
                position += 2
                skipSubBlocks()
            case 0x2C:
                frames += 1
                let packed = bytes[position + 9]
                position += 10 + (packed & 0x80 != 0 ? 3 << (Int(packed & 7) + 1) : 0) + 1  // + LZW minimum code size
                skipSubBlocks()
            case 0x3B:
                return
            default:
                throw CocoaError(.fileReadCorruptFile)
            }
        }
        throw CocoaError(.fileReadCorruptFile)  // no trailer
    }
}
