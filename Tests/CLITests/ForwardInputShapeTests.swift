import Foundation
import MLXCore
import XCTest

/// `forward` inputs whose shapes the model cannot take, or whose cost is out of proportion to the
/// model (a small file may ask for a latent whose attention needs terabytes): refused before
/// running, naming the inputs file, the tensor, its shape and what was expected.
final class ForwardInputShapeTests: XCTestCase {
    private let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffusionTests/Fixtures/tiny-sd1").path

    private func forward(_ component: String, _ tensors: [String: MLXArray]) throws -> (CommandResult, String) {
        let inputs = FileManager.default.temporaryDirectory.appendingPathComponent("inputs-\(UUID().uuidString).safetensors").path
        try SafetensorsFile(tensors: tensors).save(inputs)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: inputs) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString).safetensors").path
        return (try CommandRunner.run(["forward", component, "--model", model, "--inputs", inputs, "--outputs", output]), inputs)
    }

    func testUNetInputsOutsideWhatTheModelTakes() throws {
        let context = try zeros([1, 77, 32]), timestep = try MLXArray([Float(500)], shape: [1])
        for (sample, expected) in [([1, 5, 8, 8], "[B ≤ 64, 4, H, W]"),       // the config's in_channels is 4
                                   ([1, 4, 8, 6], "multiples of 4"),           // three blocks: sides divisible by 4
                                   ([1, 4, 64, 64], "H·W ≤ 32²")] {            // sample_size 8: at most 32² positions
            let (result, inputs) = try forward("unet", ["sample": try zeros(sample), "timestep": timestep, "encoder_hidden_states": context])
            assertCleanFailure(result, mentions: inputs, "'sample'", "\(sample)", expected)
        }
        let (result, inputs) = try forward("unet", ["sample": try zeros([1, 4, 8, 8]), "timestep": timestep,
                                                    "encoder_hidden_states": try zeros([1, 77, 48])])
        assertCleanFailure(result, mentions: inputs, "'encoder_hidden_states'", "32]")
    }

    func testVAEAndTextEncoderInputs() throws {
        var (result, inputs) = try forward("vae-decode", ["latents": try zeros([1, 3, 8, 8])])
        assertCleanFailure(result, mentions: inputs, "'latents'")
        (result, inputs) = try forward("vae-encode", ["image": try zeros([1, 3, 30, 32])])
        assertCleanFailure(result, mentions: inputs, "'image'", "multiples of")
        (result, inputs) = try forward("text-encoder", ["input_ids": try MLXArray([Int32](repeating: 1, count: 100), shape: [1, 100])])
        assertCleanFailure(result, mentions: inputs, "'input_ids'", "L ≤ 77")
    }
}
