import Foundation
import XCTest
@testable import Diffusion

/// Config values a stranger's model folder may hold (the ones #15's fuzzing crashed or hung on):
/// each must be refused by name before anything is built — no trap in a conversion, no division
/// by zero, no allocation sized by the config — with a short message even for huge values.
final class HostileConfigTests: XCTestCase {
    private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tiny-sd1")

    private func config(_ component: String, _ file: String = "config.json", _ key: String, _ value: Any) throws -> JSONConfig {
        let path = fixture.appendingPathComponent(component).appendingPathComponent(file).path
        var values = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        values[key] = value
        return JSONConfig(path: path, values: values)
    }

    /// The error must be a one-line config error naming the file and the key.
    private func assertRefused(_ component: String, _ key: String, _ value: Any, mentions: String? = nil, file: String = "config.json",
                               build: (JSONConfig) throws -> Void, line: UInt = #line) throws {
        let c = try config(component, file, key, value)
        XCTAssertThrowsError(try build(c), "\(key) = \(value)", line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(c.path), message, line: line)
            XCTAssertTrue(message.contains(mentions ?? key), message, line: line)
            XCTAssertFalse(message.contains("\n"), message, line: line)
            XCTAssertLessThan(message.count, 400, "summarised, not echoed", line: line)
        }
    }

    func testUNetConfigValuesThatUsedToTrapAreRefusedByName() throws {
        let unet: (JSONConfig) throws -> Void = { _ = try UNetConfiguration(config: $0) }
        let cases: [(String, Any)] = [
            ("norm_num_groups", 0), ("norm_num_groups", 7), ("attention_head_dim", 0), ("num_attention_heads", 0),
            ("layers_per_block", -1), ("transformer_layers_per_block", -1), ("transformer_layers_per_block", 100_000),
            ("block_out_channels", [Int]()), ("block_out_channels", [2_147_483_648, 24, 24]), ("block_out_channels", [-16, 24, 24]),
            ("block_out_channels", [16.5, 24, 24]), ("sample_size", 1e6), ("sample_size", 1e30), ("downsample_padding", 1e6),
            ("cross_attention_dim", 32.5), ("in_channels", 0), ("norm_eps", 0), ("layers_per_block", [1, 1]),
        ]
        for (key, value) in cases { try assertRefused("unet", key, value, build: unet) }
    }

    func testHugeListsAreSummarisedNotEchoed() throws {
        let huge = [Int](repeating: 16, count: 1_000_000)
        try assertRefused("unet", "block_out_channels", huge, mentions: "a list of 1000000") { _ = try UNetConfiguration(config: $0) }
        try assertRefused("unet", "act_fn", String(repeating: "x", count: 1_000_000), mentions: "characters") { _ = try UNetConfiguration(config: $0) }
    }

    func testVAEAndTextEncoderConfigValuesAreBounded() throws {
        let vae: (JSONConfig) throws -> Void = { _ = try VAEConfiguration(config: $0) }
        for (key, value) in [("norm_num_groups", 0), ("layers_per_block", 0), ("latent_channels", 1 << 40), ("scaling_factor", -1)] as [(String, Any)] {
            try assertRefused("vae", key, value, build: vae)
        }
        let text: (JSONConfig) throws -> Void = { _ = try TextEncoderConfiguration(config: $0) }
        for (key, value) in [("num_hidden_layers", 1 << 40), ("num_attention_heads", 0), ("hidden_size", -32), ("vocab_size", 0),
                             ("max_position_embeddings", 1e9), ("intermediate_size", 1e30), ("layer_norm_eps", -1)] as [(String, Any)] {
            try assertRefused("text_encoder", key, value, build: text)
        }
    }

    func testSchedulerValuesThatIndexedPastTheSchedule() throws {
        let schedule: (JSONConfig) throws -> Void = { _ = try NoiseSchedule(config: $0) }
        for (key, value) in [("num_train_timesteps", 1 << 40), ("num_train_timesteps", 1), ("steps_offset", -1), ("steps_offset", 1e9),
                             ("steps_offset", 1000), ("beta_end", 2.0)] as [(String, Any)] {
            try assertRefused("scheduler", key, value, mentions: key == "beta_end" ? "beta_start/beta_end" : key, file: "scheduler_config.json",
                              build: schedule)
        }
        // A valid offset with "leading" spacing and as many steps as the schedule: diffusers indexes
        // past the end; we name the setting.
        let c = try config("scheduler", "scheduler_config.json", "steps_offset", 1)
        let valid = try NoiseSchedule(config: c)
        XCTAssertThrowsError(try valid.timesteps(steps: 1000, spacing: .leading)) { error in
            XCTAssertTrue("\(error)".contains("steps_offset 1"), "\(error)")
        }
        XCTAssertEqual(try valid.timesteps(steps: 50, spacing: .leading).first, 981)
    }

    func testTokenizerLengthsAndAddedTokenIdsAreBounded() throws {
        for (setting, mentions) in [(#""model_max_length": 1"#, "model_max_length"), (#""model_max_length": 999999999"#, "model_max_length"), (#""model_max_length": -1e30"#, "model_max_length"),
                                    (#""added_tokens_decoder": {"99999999999": {"content": "<x>"}}"#, "99999999999"),
                                    (#""added_tokens_decoder": {"9223372036854775807": {"content": "<x>"}}"#, "added_tokens_decoder")] {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-tokenizer-\(UUID().uuidString)")
            try FileManager.default.copyItem(at: fixture.appendingPathComponent("tokenizer"), to: folder)
            defer { try? FileManager.default.removeItem(at: folder) }
            try Data("{\(setting)}".utf8).write(to: folder.appendingPathComponent("tokenizer_config.json"))
            XCTAssertThrowsError(try CLIPTokenizer(directory: folder), setting) { error in
                XCTAssertTrue("\(error)".contains(mentions), "\(error)")
                XCTAssertTrue("\(error)".contains("tokenizer_config.json"), "\(error)")
            }
        }
        // transformers' "no limit" still means CLIP's 77.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("tokenizer"), to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"model_max_length": 1e30}"#.utf8).write(to: folder.appendingPathComponent("tokenizer_config.json"))
        XCTAssertEqual(try CLIPTokenizer(directory: folder).maxLength, 77)
    }
}
