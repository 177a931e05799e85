import Foundation
import MLXCore

/// Picks a generator out of a rosinality-format checkpoint's tensors: `g_ema.*` (the EMA generator
/// StyleGAN-NADA and rosinality's samplers use), else `g.*`, else unprefixed keys; plus `latent_avg`.
public enum StyleGAN2Checkpoint {
    public static func generatorWeights(from tensors: [String: MLXArray]) -> (weights: [String: MLXArray], latentAverage: MLXArray?, prefix: String) {
        for prefix in ["g_ema.", "g."] where tensors.keys.contains(where: { $0.hasPrefix(prefix) }) {
            var weights: [String: MLXArray] = [:]
            for (key, value) in tensors where key.hasPrefix(prefix) { weights[String(key.dropFirst(prefix.count))] = value }
            return (weights, tensors["latent_avg"], prefix)
        }
        var weights = tensors
        let average = weights.removeValue(forKey: "latent_avg")
        return (weights, average, "")
    }

    /// A generator from a safetensors file with rosinality's key names (our own `generator.safetensors`).
    public static func loadGenerator(safetensors path: String) throws -> StyleGAN2Generator {
        let file = try SafetensorsFile.load(path)
        let (weights, average, _) = generatorWeights(from: file.tensors)
        return try StyleGAN2Generator(weights: weights, latentAverage: average, source: path)
    }

    /// Writes `generator` with rosinality's keys under `g_ema.` and its `latent_avg`, atomically.
    public static func save(_ generator: StyleGAN2Generator, to path: String, metadata: [String: String] = [:]) throws {
        var tensors: [String: MLXArray] = [:]
        for (key, value) in try generator.weightsInRosinalityLayout() { tensors["g_ema." + key] = value }
        if let average = generator.latentAverage { tensors["latent_avg"] = average }
        try SafetensorsFile(tensors: tensors, metadata: metadata).save(path)
    }
}
