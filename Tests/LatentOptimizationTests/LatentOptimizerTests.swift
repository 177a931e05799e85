import Diffusion
import Foundation
import MLXCore
import XCTest
@testable import LatentOptimization

/// `optimize` runs on the tiny SD1-like model: run folder contents, exact resume, NaN guard, bad settings.
final class LatentOptimizerTests: XCTestCase {
    private let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffusionTests/Fixtures/tiny-sd1").path

    private func temporaryRun() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("optimize-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func configuration(iterations: Int) -> OptimizationConfiguration {
        var c = OptimizationConfiguration(prompt: "a red cube", model: model)
        c.iterations = iterations
        c.saveEvery = 2
        c.prior.guidanceScale = 7.5
        return c
    }

    private func theta(_ run: String) throws -> [Float] {
        try XCTUnwrap(SafetensorsFile.load(run + "/checkpoint.safetensors").tensors["tensor.theta"]).toArray(Float.self)
    }

    func testInterruptedRunResumesToTheSameResult() throws {
        let pipeline = try StableDiffusion.load(try ModelFolder(path: model))
        let straight = temporaryRun()
        try LatentOptimizer(configuration: configuration(iterations: 4), pipeline: pipeline, run: RunFolder(path: straight), resume: false)
            .optimize { _ in }
        let interrupted = temporaryRun()
        try LatentOptimizer(configuration: configuration(iterations: 2), pipeline: pipeline, run: RunFolder(path: interrupted), resume: false)
            .optimize { _ in }
        let resumed = try LatentOptimizer(configuration: configuration(iterations: 4), pipeline: pipeline,
                                          run: RunFolder(path: interrupted), resume: true)
        XCTAssertEqual(resumed.completedSteps, 2)
        var seen: [Int] = []
        try resumed.optimize { seen.append($0.step) }
        XCTAssertEqual(seen, [3, 4])
        XCTAssertEqual(try theta(interrupted), try theta(straight))
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: interrupted))
        XCTAssertTrue(files.isSuperset(of: ["config.json", "losses.csv", "final.png", "checkpoint.safetensors", "snapshots"]))
        let log = try String(contentsOfFile: interrupted + "/losses.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.count, 5)  // header + 4 steps
        XCTAssertEqual(log[0], "step,t,lsd,fm,kl,grad_norm_lsd,grad_norm_fm,grad_norm_kl")
        // ‖g_LSD‖ = √(2 · logged LSD value), since the LSD value is ‖g‖²/2.
        let last = log[4].split(separator: ",").compactMap { Double($0) }
        XCTAssertEqual(last.count, 8)
        XCTAssertEqual(last[5], (2 * last[2]).squareRoot(), accuracy: 1e-3 * last[5])
    }

    func testResumingAnotherConfigurationIsRefused() throws {
        let pipeline = try StableDiffusion.load(try ModelFolder(path: model))
        let run = temporaryRun()
        try LatentOptimizer(configuration: configuration(iterations: 2), pipeline: pipeline, run: RunFolder(path: run), resume: false)
            .optimize { _ in }
        var other = configuration(iterations: 2)
        other.prompt = "a blue sphere"
        XCTAssertThrowsError(try LatentOptimizer(configuration: other, pipeline: pipeline, run: RunFolder(path: run), resume: true)) {
            XCTAssertTrue("\($0)".contains("another configuration"), "\($0)")
        }
    }

    /// The bug guarded against: a non-finite loss that still lets Adam move and the checkpoint be
    /// rewritten. A checkpoint whose θ is scaled to 1e30 (finite, but its prior loss is not in
    /// float32) is resumed: the run must stop at the next step, name it, and leave the file byte
    /// for byte as it was.
    func testNonFiniteLossStopsWithTheStepAndKeepsTheCheckpoint() throws {
        let pipeline = try StableDiffusion.load(try ModelFolder(path: model))
        let run = temporaryRun()
        try LatentOptimizer(configuration: configuration(iterations: 2), pipeline: pipeline, run: RunFolder(path: run), resume: false)
            .optimize { _ in }
        let checkpoint = run + "/checkpoint.safetensors"
        var file = try SafetensorsFile.load(checkpoint)
        let theta = try XCTUnwrap(file.tensors["tensor.theta"])
        file.tensors["tensor.theta"] = try theta * MLXArray(Float(1e30))
        try file.save(checkpoint)
        let saved = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        XCTAssertThrowsError(try LatentOptimizer(configuration: configuration(iterations: 6), pipeline: pipeline,
                                                 run: RunFolder(path: run), resume: true).optimize { _ in }) { error in
            guard case let RunError.nonFinite(step, _, lastCheckpointStep) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(step, 3)
            XCTAssertEqual(lastCheckpointStep, 2)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: checkpoint)), saved, "the checkpoint of step 2 is unchanged")
    }

    func testBadSettingsAreNamed() throws {
        let pipeline = try StableDiffusion.load(try ModelFolder(path: model))
        var c = configuration(iterations: 0)
        XCTAssertThrowsError(try LatentOptimizer(configuration: c, pipeline: pipeline, run: RunFolder(path: temporaryRun()), resume: false)) {
            XCTAssertTrue("\($0)".contains("--iterations"), "\($0)")
        }
        c = configuration(iterations: 2)
        c.prompt = "  "
        XCTAssertThrowsError(try LatentOptimizer(configuration: c, pipeline: pipeline, run: RunFolder(path: temporaryRun()), resume: false)) {
            XCTAssertTrue("\($0)".contains("prompt is empty"), "\($0)")
        }
        XCTAssertThrowsError(try RunFolder(path: "/proc/not-writable/run"))
    }
}
