import Diffusion
import Foundation
import ImageIO
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

    /// `--parameterization rgb`: θ is a picture at the VAE's resolution, v = s · E(tanh θ). The bugs
    /// guarded against: θ of the latent's shape, v not through the encoder, no gradient reaching θ
    /// through the encoder (θ would not move), resume not exact in this mode.
    func testRGBParameterizationOptimisesAPictureThroughTheEncoder() throws {
        let pipeline = try StableDiffusion.load(try ModelFolder(path: model))
        var c = configuration(iterations: 2)
        c.parameterization = .rgb
        let run = temporaryRun()
        let optimizer = try LatentOptimizer(configuration: c, pipeline: pipeline, run: RunFolder(path: run), resume: false)
        let factor = pipeline.vae.configuration.downsamplingFactor, size = pipeline.unet.configuration.sampleSize
        let initial = try optimizer.tensor.theta.value.toArray(Float.self)
        XCTAssertEqual(optimizer.tensor.theta.value.shape, [1, size * factor, size * factor, 3])
        let v = try optimizer.latents(optimizer.tensor.theta.value)
        let expected = try pipeline.vae.encode(tanh(optimizer.tensor.theta.value)).mean * pipeline.vae.scalingFactor
        XCTAssertEqual(v.shape, [1, size, size, pipeline.unet.configuration.inChannels])
        XCTAssertLessThan(try abs(v - expected).max().item(Float.self), 1e-5)
        try optimizer.optimize { _ in }
        let moved = zip(try theta(run), initial).filter { $0 != $1 }.count
        XCTAssertGreaterThan(moved, initial.count / 2, "the prior's gradient reaches θ through the encoder")
        XCTAssertTrue(try theta(run).allSatisfy(\.isFinite))
        let picture = try PNG.read(run + "/final.png")
        XCTAssertEqual([picture.width, picture.height], [size * factor, size * factor])

        c.iterations = 3
        let straight = temporaryRun()
        try LatentOptimizer(configuration: c, pipeline: pipeline, run: RunFolder(path: straight), resume: false).optimize { _ in }
        try LatentOptimizer(configuration: c, pipeline: pipeline, run: RunFolder(path: run), resume: true).optimize { _ in }
        XCTAssertEqual(try theta(run), try theta(straight), "resume is exact with θ a picture")
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
