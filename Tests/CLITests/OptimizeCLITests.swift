import Diffusion
import Foundation
import LatentOptimization
import MLXCore
import Runs
import XCTest

/// `optimize` through the CLI: the flags reach the run's configuration, and the run is exactly the
/// library's run of that configuration (θ bit for bit). No external reference exists for a whole
/// optimisation (t and ε come from our seeded generator); the optimiser's steps are checked against
/// closed forms and PyTorch in their own targets. The bugs guarded against: an option parsed but
/// not applied (the run differs from what config.json says), outputs written from another state.
final class OptimizeCLITests: XCTestCase {
    func testCLIRunEqualsTheLibraryRunOfItsConfiguration() throws {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DiffusionTests/Fixtures/tiny-sd1").path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("optimize-cli-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: scratch) }
        let cliRun = scratch.appendingPathComponent("cli").path
        let result = try CommandRunner.run([
            "optimize", "--model", model, "--prompt", "a red cube", "--output", cliRun, "--iterations", "3", "--seed", "5",
            "--lr", "0.03", "--save-every", "3", "--guidance-scale", "9", "--lambda-fm", "20", "--weighting", "uniform",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let saved = try JSONDecoder().decode(OptimizationConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: cliRun + "/config.json")))
        XCTAssertEqual(saved.iterations, 3)
        XCTAssertEqual(saved.seed, 5)
        XCTAssertEqual(saved.learningRate, 0.03)
        XCTAssertEqual(saved.prior.guidanceScale, 9)
        XCTAssertEqual(saved.prior.lambdaFM, 20)
        XCTAssertEqual(saved.prior.weighting, .uniform)

        let libraryRun = scratch.appendingPathComponent("library").path
        let pipeline = try StableDiffusion.load(try ModelFolder(path: model))
        try LatentOptimizer(configuration: saved, pipeline: pipeline, run: RunFolder(path: libraryRun), resume: false).optimize { _ in }
        func theta(_ run: String) throws -> [Float] {
            try XCTUnwrap(SafetensorsFile.load(run + "/checkpoint.safetensors").tensors["tensor.theta"]).toArray(Float.self)
        }
        XCTAssertEqual(try theta(cliRun), try theta(libraryRun))
        XCTAssertEqual(try String(contentsOfFile: cliRun + "/losses.csv", encoding: .utf8),
                       try String(contentsOfFile: libraryRun + "/losses.csv", encoding: .utf8))
        XCTAssertTrue(FileManager.default.fileExists(atPath: cliRun + "/final.png"))
    }
}
