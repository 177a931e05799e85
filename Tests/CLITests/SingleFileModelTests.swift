import Foundation
import MLXCore
import XCTest

/// `--model FILE` (a single CompVis checkpoint) through `forward`, and `convert` to a diffusers folder:
/// outputs against the references that scripts/make_single_file_reference.py stored from diffusers.
final class SingleFileModelTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffusionTests/Fixtures/single-file")

    private func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("single-file-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    /// `forward COMPONENT --model MODEL` against the stored outputs (SPEC's measure, max|Δ|/max|ref| ≤ 1e-4).
    private func checkForward(_ component: String, model: String, family: String, in folder: URL) throws {
        let output = folder.appendingPathComponent("\(component)-\(UUID().uuidString).safetensors").path
        let result = try CommandRunner.run([
            "forward", component, "--model", model,
            "--inputs", fixtures.appendingPathComponent("\(family)/\(component).inputs.safetensors").path, "--outputs", output,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let outputs = try SafetensorsFile.load(output).tensors
        let expected = try SafetensorsFile.load(fixtures.appendingPathComponent("\(family)/\(component).outputs.safetensors").path).tensors
        for (name, reference) in expected {
            let value = try XCTUnwrap(outputs[name], name)
            let error = try abs(value - reference).max().item(Float.self) / abs(reference).max().item(Float.self)
            XCTAssertLessThanOrEqual(error, 1e-4, "\(model) \(component) \(name)")
        }
    }

    func testForwardOnASingleCheckpointFile() throws {
        let folder = try scratch()
        for component in ["text-encoder", "unet", "vae-decode"] {
            try checkForward(component, model: fixtures.appendingPathComponent("sd1-fp16.ckpt").path, family: "sd1", in: folder)
        }
        try checkForward("text-encoder", model: fixtures.appendingPathComponent("sd2-fp16.safetensors").path, family: "sd2", in: folder)
    }

    func testConvertWritesAFolderThatGivesTheSameOutputs() throws {
        let folder = try scratch()
        let converted = folder.appendingPathComponent("converted").path
        let result = try CommandRunner.run(["convert", "--checkpoint", fixtures.appendingPathComponent("sd1-fp16.safetensors").path,
                                            "--output", converted])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("SD 1.x"), result.stdout)
        for component in ["text-encoder", "unet", "vae-encode"] {
            try checkForward(component, model: converted, family: "sd1", in: folder)
        }
        let again = try CommandRunner.run(["convert", "--checkpoint", fixtures.appendingPathComponent("sd1-fp16.safetensors").path,
                                           "--output", converted])
        assertCleanFailure(again, mentions: "already exists")
    }

    func testUnknownArchitectureAndPredictionType() throws {
        let folder = try scratch()
        let other = folder.appendingPathComponent("other.safetensors")
        try SafetensorsFile(tensors: ["layer.weight": try MLXArray([Float](repeating: 0, count: 4), shape: [2, 2])]).save(other.path)
        assertCleanFailure(try CommandRunner.run(["convert", "--checkpoint", other.path, "--output", folder.appendingPathComponent("x").path]),
                           mentions: "other.safetensors", "model.diffusion_model")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("x").path))
        assertCleanFailure(try CommandRunner.run(["convert", "--checkpoint", fixtures.appendingPathComponent("sd2.ckpt").path,
                                                  "--output", folder.appendingPathComponent("y").path, "--prediction-type", "x0"]),
                           mentions: "prediction-type")
    }
}
