import Foundation
import MLXCore
import StyleGAN

/// Generators as users have them: our `generator.safetensors` (rosinality's keys, optionally under
/// `g_ema.`/`g.`, with `latent_avg`).
public enum GeneratorFile {
    public static func load(_ path: String) throws -> StyleGAN2Generator {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StyleGANError.invalidInput("generator '\(path)' does not exist")
        }
        let lower = path.lowercased()
        guard lower.hasSuffix(".safetensors") else {
            throw StyleGANError.invalidInput("generator '\(path)': expected a .safetensors file with rosinality's keys")
        }
        return try StyleGAN2Checkpoint.loadGenerator(safetensors: path)
    }
}
