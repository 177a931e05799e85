import Foundation
import MLXCore

/// A single Stable Diffusion checkpoint in the original CompVis (LDM) layout, as `.safetensors` or
/// `.ckpt` (a `torch.save` pickle, read without executing anything): `model.diffusion_model.*` (UNet),
/// `first_stage_model.*` (VAE), and `cond_stage_model.transformer.*` (SD 1.x, OpenAI CLIP through
/// transformers) or `cond_stage_model.model.*` (SD 2.x, OpenCLIP with fused attention projections).
/// A Lightning `state_dict` wrapper is unwrapped; EMA copies (`model_ema.*`) are ignored, as
/// diffusers ignores them unless asked.
struct CompVisCheckpoint {
    enum Family: String {
        case sd1 = "SD 1.x (CLIP text encoder)"
        case sd2 = "SD 2.x (OpenCLIP text encoder)"
    }

    static let unetPrefix = "model.diffusion_model."
    static let vaePrefix = "first_stage_model."
    static let clipPrefix = "cond_stage_model.transformer."
    static let openCLIPPrefix = "cond_stage_model.model."

    let path: String
    let family: Family
    /// Each component's tensors, keys without the component's prefix (still CompVis names).
    let unet: [String: MLXArray]
    let vae: [String: MLXArray]
    let textEncoder: [String: MLXArray]

    init(path: String) throws {
        self.path = path
        var tensors = try WeightsFile.load(path)
        if tensors.keys.contains(where: { $0.hasPrefix("state_dict." + Self.unetPrefix) }) {
            tensors = Dictionary(uniqueKeysWithValues: tensors.compactMap { key, value in
                key.hasPrefix("state_dict.") ? (String(key.dropFirst("state_dict.".count)), value) : nil
            })
        }
        func component(_ prefix: String) -> [String: MLXArray] {
            Dictionary(uniqueKeysWithValues: tensors.compactMap { key, value in
                key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
            })
        }
        unet = component(Self.unetPrefix)
        vae = component(Self.vaePrefix)
        let clip = component(Self.clipPrefix), openCLIP = component(Self.openCLIPPrefix)
        let lookedFor = "\(Self.unetPrefix)*, \(Self.vaePrefix)* and \(Self.clipPrefix)* (SD 1.x) or \(Self.openCLIPPrefix)* (SD 2.x)"
        guard !unet.isEmpty, !vae.isEmpty, clip.isEmpty != openCLIP.isEmpty else {
            let sample = tensors.keys.sorted().prefix(3).joined(separator: ", ")
            throw DiffusionError.invalidInput(
                "'\(path)': not a Stable Diffusion 1.x/2.x checkpoint: looked for \(lookedFor); found \(tensors.count) tensors (\(sample)\(tensors.count > 3 ? ", …" : ""))")
        }
        family = clip.isEmpty ? .sd2 : .sd1
        textEncoder = clip.isEmpty ? openCLIP : clip
    }
}
