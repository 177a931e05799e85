import Diffusion
import Foundation
import MLXCore
import NN

/// Writes the trained toy model as a diffusers folder (model_index.json, tokenizer/, text_encoder/,
/// unet/, vae/, scheduler/), weights in float16 safetensors: the layout `--model` expects and
/// diffusers' `StableDiffusionPipeline.from_pretrained` reads.
public enum ToyModelExport {
    public static func write(_ trainer: ToyTrainer, to folder: URL, dtype: DType = .float16) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeJSONObject(stableDiffusionModelIndex(diffusersVersion: "0.31.0"), to: folder.appendingPathComponent("model_index.json"))

        try ToyVocabulary.write(to: folder.appendingPathComponent("tokenizer"))

        var vaeConfig = trainer.vae.configuration
        vaeConfig.scalingFactor = trainer.vae.scalingFactor
        let components: [(String, [String: Any], Module, String)] = [
            ("text_encoder", trainer.textEncoder.configuration.transformersConfig, trainer.textEncoder, "model.safetensors"),
            ("unet", trainer.unet.configuration.diffusersConfig, trainer.unet, "diffusion_pytorch_model.safetensors"),
            ("vae", vaeConfig.diffusersConfig, trainer.vae, "diffusion_pytorch_model.safetensors"),
        ]
        for (name, config, module, weightsName) in components {
            let componentFolder = folder.appendingPathComponent(name)
            try fileManager.createDirectory(at: componentFolder, withIntermediateDirectories: true)
            try writeJSONObject(config, to: componentFolder.appendingPathComponent("config.json"))
            let weights = try module.weightsInFileLayout().mapValues { try $0.asType(dtype) }
            try SafetensorsFile(tensors: weights, metadata: ["format": "pt"]).save(componentFolder.appendingPathComponent(weightsName).path)
        }
        // Measured on the shipped model: sampling is best at 3 (docs/TOY_WORLD.md); the prior's
        // colours stay true at 7.5 and saturate to dark edges from ~20 (docs/TEXT_TO_3D.md).
        try ModelRecommendations(guidanceScale: ["generate": 3, "optimize": 7.5, "text-to-3d": 7.5, "edit": 7.5, "adapt-stylegan": 7.5]).write(to: folder)
        let schedulerFolder = folder.appendingPathComponent("scheduler")
        try fileManager.createDirectory(at: schedulerFolder, withIntermediateDirectories: true)
        try writeJSONObject(NoiseSchedule.stableDiffusionConfig(), to: schedulerFolder.appendingPathComponent("scheduler_config.json"))
    }
}
