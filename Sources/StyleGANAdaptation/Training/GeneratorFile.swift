import Formats
import Foundation
import MLXCore
import StyleGAN

/// Generators as users have them: a rosinality checkpoint written by `torch.save` (train.py's
/// {g, d, g_ema, …, args} or a converted {g_ema, latent_avg}; zip or legacy format, read by the
/// restricted unpickler, nothing executed) or our `generator.safetensors` (the same keys).
public enum GeneratorFile {
    public static func load(_ path: String) throws -> StyleGAN2Generator {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StyleGANError.invalidInput("generator '\(path)' does not exist")
        }
        if path.lowercased().hasSuffix(".safetensors") {
            return try StyleGAN2Checkpoint.loadGenerator(safetensors: path)
        }
        let file = try TorchFile.load(path)
        let tensors: [String: MLXArray]
        if let ema = file.value(at: ["g_ema"]) {
            var found = try file.stateDict(ema, prefix: "g_ema")
            if case .tensor(let average)? = file.value(at: ["latent_avg"]) { found["latent_avg"] = try file.array(average) }
            tensors = found
        } else if let generator = file.value(at: ["g"]) {
            tensors = try file.stateDict(generator, prefix: "g")
        } else if file.value(at: ["input.input"]) != nil {
            tensors = try file.stateDict()
        } else {
            throw StyleGANError.notAGenerator(source: path, reason: "no 'g_ema' or 'g' entry (a rosinality training checkpoint has them)")
        }
        let (weights, average, _) = StyleGAN2Checkpoint.generatorWeights(from: tensors)
        return try StyleGAN2Generator(weights: weights, latentAverage: average, source: path)
    }
}
