import Foundation
import MLXCore
import StyleGAN

/// Writes the trained toy generator (the EMA weights) as `generator.safetensors`: rosinality's keys
/// under `g_ema.`, `latent_avg` (the mean of 4096 mapped z, as rosinality's mean_latent), in float16.
public enum ToyGANExport {
    public static func write(_ trainer: ToyGANTrainer, to folder: URL, dtype: DType = .float16) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let generator = trainer.averaged
        generator.latentAverage = try generator.meanLatent(count: 4096, seed: 1)
        var tensors: [String: MLXArray] = [:]
        for (key, value) in try generator.weightsInRosinalityLayout() { tensors["g_ema." + key] = try value.asType(dtype) }
        tensors["latent_avg"] = try generator.latentAverage!.asType(dtype)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let config = String(decoding: try encoder.encode(trainer.configuration), as: UTF8.self)
        try SafetensorsFile(tensors: tensors, metadata: ["format": "pt", "train-toy-gan": config, "steps": "\(trainer.completedSteps)"])
            .save(folder.appendingPathComponent("generator.safetensors").path)
    }
}
