import Foundation
import XCTest

/// `forward` with broken model folders and inputs: one line naming the problem, exit ≠ 0, no crash.
final class ForwardBadInputTests: XCTestCase {
    private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffusionTests/Fixtures/tiny-sd1")

    private func copyOfFixture() throws -> URL {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-sd1-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixture, to: copy)
        addTeardownBlock { try? FileManager.default.removeItem(at: copy) }
        return copy
    }

    private func forward(_ component: String, model: URL, inputs: String? = nil) throws -> CommandResult {
        let input = inputs ?? fixture.appendingPathComponent("reference/\(component).inputs.safetensors").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString).safetensors").path
        return try CommandRunner.run(["forward", component, "--model", model.path, "--inputs", input, "--outputs", output])
    }

    func testWorkingFolderRuns() throws {
        let result = try forward("unet", model: fixture)
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func testMissingFolderAndComponent() throws {
        assertCleanFailure(try forward("unet", model: URL(fileURLWithPath: "/no/such/model")), mentions: "/no/such/model")
        let copy = try copyOfFixture()
        try FileManager.default.removeItem(at: copy.appendingPathComponent("vae"))
        assertCleanFailure(try forward("vae-decode", model: copy), mentions: "vae")
    }

    func testUnsupportedConfigValueNamesKeyAndValue() throws {
        let copy = try copyOfFixture()
        let config = copy.appendingPathComponent("unet/config.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
        json["resnet_time_scale_shift"] = "scale_shift"
        try JSONSerialization.data(withJSONObject: json).write(to: config)
        assertCleanFailure(try forward("unet", model: copy), mentions: "resnet_time_scale_shift", "scale_shift", "config.json")
    }

    func testWrongWeightShapeNamesKeyAndBothShapes() throws {
        let copy = try copyOfFixture()
        let config = copy.appendingPathComponent("vae/config.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
        json["latent_channels"] = 8
        try JSONSerialization.data(withJSONObject: json).write(to: config)
        let result = try forward("vae-decode", model: copy)
        assertCleanFailure(result, mentions: "diffusion_pytorch_model.safetensors", "shape")
    }

    func testCorruptWeightsAndWrongRankInput() throws {
        let copy = try copyOfFixture()
        let weights = copy.appendingPathComponent("text_encoder/model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count / 2).write(to: weights)
        assertCleanFailure(try forward("text-encoder", model: copy), mentions: weights.path)
        // A VAE-decode input of rank 3 instead of 4.
        assertCleanFailure(try forward("vae-decode", model: fixture,
                                       inputs: fixture.appendingPathComponent("reference/text-encoder.outputs.safetensors").path),
                           mentions: "latents")
    }
}
