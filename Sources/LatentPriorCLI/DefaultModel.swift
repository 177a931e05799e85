import Diffusion
import Foundation

/// Where `--model` points when it is not given: the toy model shipped in the repository
/// (Models/toy-world), or $LATENT_PRIOR_MODEL when set.
enum DefaultModel {
    static var path: String {
        if let override = ProcessInfo.processInfo.environment["LATENT_PRIOR_MODEL"], !override.isEmpty {
            return override
        }
        // This file lives at Sources/LatentPriorCLI/; the repository root is two folders up.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models/toy-world").path
    }

    /// The shipped toy StyleGAN2 (Models/toy-gan), the default of `adapt-stylegan`.
    static var toyGenerator: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models/toy-gan/generator.safetensors").path
    }

    /// CLIP's vocabulary and merges (Models/clip-tokenizer), for single checkpoint files, which do not hold them.
    static var clipTokenizer: String {
        if let override = ProcessInfo.processInfo.environment["LATENT_PRIOR_CLIP_TOKENIZER"], !override.isEmpty {
            return override
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models/clip-tokenizer").path
    }

    static func resolve(_ model: String?) -> String {
        model ?? path
    }

    /// The model folder's recommended guidance for `command` (latent_prior.json), else `otherwise`.
    static func recommendedGuidance(command: String, model: String, otherwise: Float) -> Float {
        ModelRecommendations.load(modelFolder: model)?.guidanceScale[command] ?? otherwise
    }
}
