import Foundation
import MLXCore
import XCTest

/// `forward stylegan` as a user runs it: the reference images of scripts/make_stylegan_reference.py
/// (max|Δ|/max|ref| ≤ 1e-4) and one-line errors for bad inputs.
final class ForwardStyleGANTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("StyleGANTests/Fixtures")

    func temporaryPath(_ name: String) throws -> String {
        try CommandRunner.temporaryFile(name, contents: Data()).path
    }

    func testImagesMatchTheReference() throws {
        let reference = try SafetensorsFile.load(Self.fixtures.appendingPathComponent("stylegan-16.outputs.safetensors").path).tensors
        let inputs = try SafetensorsFile.load(Self.fixtures.appendingPathComponent("stylegan-16.inputs.safetensors").path).tensors
        let checkpoint = Self.fixtures.appendingPathComponent("stylegan-16.safetensors").path
        for (name, tensors, key) in [("z", ["z": inputs["z"]!], "image_z"), ("w", ["w": inputs["w"]!], "image_w"),
                                     ("truncated", ["z": inputs["z"]!, "truncation": try MLXArray([Float(0.7)])], "image_truncated")] {
            let input = try temporaryPath("\(name).inputs.safetensors"), output = try temporaryPath("\(name).outputs.safetensors")
            try SafetensorsFile(tensors: tensors).save(input)
            let result = try CommandRunner.run(["forward", "stylegan", "--checkpoint", checkpoint, "--inputs", input, "--outputs", output])
            XCTAssertEqual(result.status, 0, result.stderr)
            let image = try XCTUnwrap(SafetensorsFile.load(output).tensors["image"])
            let expected = reference[key]!
            XCTAssertEqual(image.shape, expected.shape)
            let error = try abs(image - expected).max().item(Float.self) / abs(expected).max().item(Float.self)
            XCTAssertLessThanOrEqual(error, 1e-4, name)
        }
    }

    /// rosinality checkpoints written by torch.save, zip and legacy formats, read without Python.
    func testTorchSaveCheckpointsGiveTheSameImages() throws {
        let reference = try SafetensorsFile.load(Self.fixtures.appendingPathComponent("stylegan-32.outputs.safetensors").path).tensors["image_z"]!
        let inputs = try SafetensorsFile.load(Self.fixtures.appendingPathComponent("stylegan-32.inputs.safetensors").path).tensors
        let input = try temporaryPath("z.inputs.safetensors")
        try SafetensorsFile(tensors: ["z": inputs["z"]!]).save(input)
        for name in ["stylegan-32.pt", "stylegan-32-legacy.pt"] {
            let output = try temporaryPath("\(name).outputs.safetensors")
            let result = try CommandRunner.run(["forward", "stylegan", "--checkpoint", Self.fixtures.appendingPathComponent(name).path,
                                                "--inputs", input, "--outputs", output])
            XCTAssertEqual(result.status, 0, result.stderr)
            let image = try XCTUnwrap(SafetensorsFile.load(output).tensors["image"])
            XCTAssertLessThanOrEqual(try abs(image - reference).max().item(Float.self) / abs(reference).max().item(Float.self), 1e-4, name)
        }
    }

    func testBadInputsAreNamed() throws {
        let checkpoint = Self.fixtures.appendingPathComponent("stylegan-16.safetensors").path
        let input = try temporaryPath("bad.inputs.safetensors"), output = try temporaryPath("bad.outputs.safetensors")
        try SafetensorsFile(tensors: ["z": try zeros([2, 23])]).save(input)
        assertCleanFailure(try CommandRunner.run(["forward", "stylegan", "--checkpoint", checkpoint, "--inputs", input, "--outputs", output]),
                           mentions: "'z' must be [B, 24]")
        try SafetensorsFile(tensors: ["x": try zeros([2, 24])]).save(input)
        assertCleanFailure(try CommandRunner.run(["forward", "stylegan", "--checkpoint", checkpoint, "--inputs", input, "--outputs", output]),
                           mentions: "needs 'z'")
        let notAGenerator = Self.fixtures.appendingPathComponent("discriminator-16-batch2.safetensors").path
        try SafetensorsFile(tensors: ["z": try zeros([2, 24])]).save(input)
        assertCleanFailure(try CommandRunner.run(["forward", "stylegan", "--checkpoint", notAGenerator, "--inputs", input, "--outputs", output]),
                           mentions: notAGenerator, "is not a StyleGAN2 generator")
        assertCleanFailure(try CommandRunner.run(["forward", "stylegan", "--inputs", input, "--outputs", output]), mentions: "--checkpoint")
    }
}
