import Foundation
import MLXCore

/// `latent-prior convert`: a single checkpoint as a diffusers folder (safetensors, configs,
/// tokenizer, scheduler) that diffusers' `from_pretrained` loads. The folder is assembled beside
/// `output` and renamed into place, so an interrupted conversion leaves no half-written model.
extension SingleFileModel {
    public func writeDiffusersFolder(to output: String, half: Bool = false) throws {
        let destination = URL(fileURLWithPath: output).standardizedFileURL
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw DiffusionError.invalidInput("'\(output)' already exists; convert writes a new folder")
        }
        let staging = URL(fileURLWithPath: AtomicFile.temporaryPath(for: destination.path))
        try? FileManager.default.removeItem(at: staging)
        do {
            try writeComponents(into: staging, half: half)
            try FileManager.default.moveItem(at: staging, to: destination)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    private func writeComponents(into folder: URL, half: Bool) throws {
        func component(_ name: String) throws -> URL {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
        func weights(_ tensors: [String: MLXArray]) throws -> SafetensorsFile {
            SafetensorsFile(tensors: try tensors.mapValues { try half ? $0.asType(.float16) : $0.asType(.float32) }, metadata: ["format": "pt"])
        }
        var unetConfig = unetConfiguration.diffusersConfig
        unetConfig["_diffusers_version"] = "0.39.0"
        try writeJSONObject(unetConfig, to: component("unet").appendingPathComponent("config.json"))
        try weights(unetWeights).save(component("unet").appendingPathComponent("diffusion_pytorch_model.safetensors").path)
        var vaeConfig = vaeConfiguration.diffusersConfig
        vaeConfig["sample_size"] = unetConfiguration.sampleSize * 8
        try writeJSONObject(vaeConfig, to: component("vae").appendingPathComponent("config.json"))
        try weights(vaeWeights).save(component("vae").appendingPathComponent("diffusion_pytorch_model.safetensors").path)
        try writeJSONObject(textEncoderConfiguration.transformersConfig, to: component("text_encoder").appendingPathComponent("config.json"))
        try weights(textEncoderWeights).save(component("text_encoder").appendingPathComponent("model.safetensors").path)
        try writeJSONObject(schedulerValues, to: component("scheduler").appendingPathComponent("scheduler_config.json"))
        let tokenizer = try component("tokenizer")
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: tokenizerFolder.appendingPathComponent(name), to: tokenizer.appendingPathComponent(name))
        }
        let tokens = try specialTokens
        let special: [String: Any] = [
            "bos_token": tokens.beginOfText.content, "eos_token": tokens.endOfText.content,
            "unk_token": tokens.unknown.content, "pad_token": tokens.padding.content,
        ]
        try writeJSONObject(special, to: tokenizer.appendingPathComponent("special_tokens_map.json"))
        try writeJSONObject(special.merging([
            "tokenizer_class": "CLIPTokenizer", "model_max_length": tokens.modelMaxLength, "do_lower_case": true,
            "errors": "replace", "add_prefix_space": false,
        ]) { first, _ in first }, to: tokenizer.appendingPathComponent("tokenizer_config.json"))
        try writeJSONObject(stableDiffusionModelIndex(diffusersVersion: "0.39.0"), to: folder.appendingPathComponent("model_index.json"))
    }
}
