import Diffusion
import Foundation
import MLXCore
import Runs
import XCTest
@testable import TextTo3D

/// The RGB stage (Latent-NeRF's refinement) on the toy model with a small field: its steps, its
/// checkpoints and resumes, `--refine-only`, and the colour head's algebra.
final class RGBRefinementTests: XCTestCase {
    /// 2 latent iterations, then `refine` RGB ones at 16 rays per side (upsampled to the toy's 64 pixels).
    private func configuration(latent: Int = 2, refine: Int) -> TextTo3DConfiguration {
        var c = TextTo3DTrainerTests.smallConfiguration(iterations: latent)
        c.refineIterations = refine
        var settings = RGBRefinementSettings()
        settings.resolution = 16
        c.refinement = settings
        c.views = 2
        c.turntableFrames = 2
        c.meshResolution = 24
        return c
    }

    private func parameters(_ trainer: TextTo3DTrainer) throws -> [String: [Float]] {
        var result: [String: [Float]] = [:]
        for (key, parameter) in trainer.scene.namedParameters() { result["scene." + key] = try parameter.value.toArray(Float.self) }
        for (key, parameter) in trainer.colourHead?.namedParameters() ?? [] { result["head." + key] = try parameter.value.toArray(Float.self) }
        return result
    }

    func testRefinementStepsAreLoggedCheckpointedAndChangeTheField() throws {
        let pipeline = try pipeline()
        let run = try temporaryRun()
        let trainer = try TextTo3DTrainer(configuration: configuration(refine: 2), pipeline: pipeline, run: run, resume: false)
        var stages: [TextTo3DStep.Stage] = []
        try trainer.train { stages.append($0.stage) }
        XCTAssertEqual(stages, [.latent, .latent, .rgb, .rgb])
        let groups = Set(try SafetensorsFile.load(run.checkpointPath).tensors.keys.compactMap { $0.split(separator: ".").first.map(String.init) })
        XCTAssertTrue(groups.isSuperset(of: ["scene", "adam", "colour_head", "refine_adam"]), "\(groups)")

        let latentOnly = try TextTo3DTrainer(configuration: configuration(refine: 0), pipeline: pipeline, run: temporaryRun(), resume: false)
        try latentOnly.train { _ in }
        XCTAssertNil(latentOnly.colourHead)
        let refined = try parameters(trainer), unrefined = try parameters(latentOnly)
        let fieldKeys = refined.keys.filter { $0.hasPrefix("scene.field.") }
        XCTAssertFalse(fieldKeys.isEmpty)
        XCTAssertTrue(fieldKeys.contains { refined[$0] != unrefined[$0] }, "the RGB steps move the field")
        XCTAssertEqual(refined["scene.background"], unrefined["scene.background"], "the latent background is frozen in the RGB stage")

        let outputs = try trainer.writeOutputs()
        XCTAssertEqual(outputs.views.count, 2)
        XCTAssertNotNil(outputs.mesh)
    }

    func testResumeInsideTheRGBStageEqualsTheStraightRun() throws {
        let pipeline = try pipeline()
        let straight = try TextTo3DTrainer(configuration: configuration(refine: 3), pipeline: pipeline, run: temporaryRun(), resume: false)
        try straight.train { _ in }

        let run = try temporaryRun()
        try TextTo3DTrainer(configuration: configuration(refine: 1), pipeline: pipeline, run: run, resume: false).train { _ in }
        let resumed = try TextTo3DTrainer(configuration: configuration(refine: 3), pipeline: pipeline, run: run, resume: true)
        XCTAssertEqual(resumed.completedSteps, 3)
        XCTAssertNotNil(resumed.colourHead, "the head comes back from the checkpoint")
        try resumed.train { _ in }
        XCTAssertEqual(try parameters(resumed), try parameters(straight))
        let rows = try String(contentsOfFile: run.file("view_losses.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 1 + 5, "header + one row per view and step, none repeated")
    }

    /// `--refine-only --resume` on a finished latent run: the latent stage ends at the checkpoint and
    /// the RGB stage follows — the same field as a run planned with both stages from the start.
    func testRefineOnlyContinuesAFinishedLatentRun() throws {
        let pipeline = try pipeline()
        let planned = try TextTo3DTrainer(configuration: configuration(refine: 2), pipeline: pipeline, run: temporaryRun(), resume: false)
        try planned.train { _ in }

        let run = try temporaryRun()
        try TextTo3DTrainer(configuration: configuration(refine: 0), pipeline: pipeline, run: run, resume: false).train { _ in }
        var later = configuration(latent: 1200, refine: 2)
        later.iterations = try TextTo3DConfiguration.latentIterations(ofCheckpointIn: run)
        XCTAssertEqual(later.iterations, 2)
        let refined = try TextTo3DTrainer(configuration: later, pipeline: pipeline, run: run, resume: true)
        try refined.train { _ in }
        XCTAssertEqual(try parameters(refined), try parameters(planned))
        XCTAssertEqual(try TextTo3DConfiguration.latentIterations(ofCheckpointIn: run), 2, "inside the RGB stage: its latent length")
    }

    func testChangingTheLatentLengthInsideTheRGBStageIsRefused() throws {
        let pipeline = try pipeline()
        let run = try temporaryRun()
        try TextTo3DTrainer(configuration: configuration(refine: 1), pipeline: pipeline, run: run, resume: false).train { _ in }
        XCTAssertThrowsError(try TextTo3DTrainer(configuration: configuration(latent: 5, refine: 3), pipeline: pipeline, run: run, resume: true)) {
            XCTAssertTrue("\($0)".contains("--iterations 2"), "\($0)")
        }
        var otherRate = configuration(refine: 3)
        otherRate.refinement?.learningRate = 0.5
        XCTAssertThrowsError(try TextTo3DTrainer(configuration: otherRate, pipeline: pipeline, run: run, resume: true)) {
            XCTAssertTrue("\($0)".contains("--refine-lr"), "\($0)")
        }
    }

    func testBadRefinementSettingsAreNamed() throws {
        var c = configuration(refine: -1)
        XCTAssertThrowsError(try c.validated()) { XCTAssertTrue("\($0)".contains("--refine-iterations"), "\($0)") }
        c = configuration(refine: 2)
        c.refinement?.learningRate = .nan
        XCTAssertThrowsError(try c.validated()) { XCTAssertTrue("\($0)".contains("--refine-lr"), "\($0)") }
        c = configuration(refine: 2)
        c.refinement?.resolution = 128
        XCTAssertThrowsError(try TextTo3DTrainer(configuration: c, pipeline: pipeline(), run: temporaryRun(), resume: false)) {
            XCTAssertTrue("\($0)".contains("larger than the model's pictures (64"), "\($0)")
        }
    }

    /// The head maps composited latents; the reference maps every sample first and composites the
    /// colours in front of the RGB background (what an RGB NeRF renders).
    func testHeadOfTheCompositeEqualsTheCompositeOfMappedSamples() throws {
        let rays = 6, perRay = 5, channels = 4
        let key = try Random.key(3)
        let keys = try Random.split(key, count: 5)
        let density = try abs(Random.normal([rays * perRay], key: keys[0])) * 2
        let features = try Random.normal([rays * perRay, channels], key: keys[1])
        let intervals = try Random.uniform([rays, perRay], key: keys[2]) * 0.5
        let head = ColourHead(weight: try Random.normal([channels, 3], key: keys[3]), bias: try MLXArray([0.1, -0.2, 0.3] as [Float], shape: [3]),
                              background: try MLXArray([0.9, 0.8, 0.7] as [Float], shape: [3]))
        let renderer = VolumeRenderer(samplesPerRay: perRay)
        let (objectLatents, opacity, _) = try renderer.composite(FieldSample(density: density, features: features), intervals: intervals,
                                                                 background: zeros([channels], dtype: .float32))
        let picture = try head.picture(objectLatents: objectLatents.reshaped([1, 2, 3, channels]), opacity: opacity.reshaped([2, 3]))

        let mapped = try matmul(features, head.weight.value) + head.bias.value.reshaped([1, 3])
        let (reference, _, _) = try renderer.composite(FieldSample(density: density, features: mapped), intervals: intervals,
                                                       background: head.background.value)
        let difference = try abs(picture.reshaped([rays, 3]) - reference).max().item(Float.self)
        XCTAssertLessThan(difference, 1e-5)
    }

    func testHeadFromAFittedMapReproducesItsCoefficients() throws {
        let map = LatentColourMap(coefficients: [[10, 20, 30], [-5, 0, 5], [1, 2, 3], [0, 0, 255], [128, 64, 32]])
        let head = try ColourHead(map, background: SIMD3(1, 1, 1))
        let back = try head.colourMap()
        for (row, expected) in zip(back.coefficients, map.coefficients) {
            for (value, reference) in zip(row, expected) { XCTAssertEqual(value, reference, accuracy: 1e-3) }
        }
        XCTAssertEqual(try head.colourMap().colour([1, 0, 0, 0]), map.colour([1, 0, 0, 0]))
    }
}
