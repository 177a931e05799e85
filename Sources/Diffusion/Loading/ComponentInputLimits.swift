import MLXCore

/// The shapes `latent-prior forward` accepts for a loaded component: what its config says it takes,
/// and sizes whose cost is known before running (a 200 MB file may hold a 4096² latent whose
/// attention would need petabytes). Each refusal names the file, the tensor, its shape and what
/// was expected.
enum ComponentInputLimits {
    static let maxBatch = 64
    static let maxContextLength = 4_096
    /// Pixels (batch × height × width) of an image through the VAE, as for pictures read from disk.
    static let maxPixels = 1 << 26

    static func check(_ condition: Bool, _ source: String, _ name: String, _ tensor: MLXArray, expected: String) throws {
        guard condition else {
            throw DiffusionError.invalidInput("'\(source)': input '\(name)' has shape \(tensor.shape), expected \(expected)")
        }
    }

    static func unet(_ unet: UNet2DConditionModel, sample: MLXArray, timestep: MLXArray, context: MLXArray, source: String) throws {
        let c = unet.configuration
        let multiple = 1 << (c.blockOutChannels.count - 1)
        let side = 4 * c.sampleSize
        let s = sample.shape
        try check(s[0] >= 1 && s[0] <= maxBatch && s[1] == c.inChannels && s[2] >= 1 && s[3] >= 1 && s[2] % multiple == 0
                  && s[3] % multiple == 0 && s[2] * s[3] <= side * side, source, "sample", sample,
                  expected: "[B ≤ \(maxBatch), \(c.inChannels), H, W] with H and W multiples of \(multiple) and H·W ≤ \(side)²")
        try check(timestep.shape[0] == s[0] || timestep.shape[0] == 1, source, "timestep", timestep, expected: "[\(s[0])] or [1]")
        let t = context.shape
        try check(t[0] == s[0] && t[1] >= 1 && t[1] <= maxContextLength && t[2] == c.crossAttentionDimensions, source,
                  "encoder_hidden_states", context, expected: "[\(s[0]), L ≤ \(maxContextLength), \(c.crossAttentionDimensions)]")
    }

    static func vaeEncode(_ vae: AutoencoderKL, image: MLXArray, source: String) throws {
        let c = vae.configuration, f = c.downsamplingFactor, s = image.shape
        try check(s[0] >= 1 && s[0] <= maxBatch && s[1] == c.inChannels && s[2] >= f && s[3] >= f && s[2] % f == 0 && s[3] % f == 0
                  && s[0] * s[2] * s[3] <= maxPixels, source, "image", image,
                  expected: "[B, \(c.inChannels), H, W] with H and W multiples of \(f) and B·H·W ≤ \(maxPixels)")
    }

    static func vaeDecode(_ vae: AutoencoderKL, latents: MLXArray, source: String) throws {
        let c = vae.configuration, f = c.downsamplingFactor, s = latents.shape
        try check(s[0] >= 1 && s[0] <= maxBatch && s[1] == c.latentChannels && s[2] >= 1 && s[3] >= 1
                  && s[0] * s[2] * s[3] <= maxPixels / (f * f), source, "latents", latents,
                  expected: "[B, \(c.latentChannels), h, w] with B·h·w·\(f * f) ≤ \(maxPixels)")
    }

    static func textEncoder(_ encoder: CLIPTextModel, ids: MLXArray, source: String) throws {
        let s = ids.shape
        try check(s[0] >= 1 && s[0] <= 1_024 && s[1] >= 1 && s[1] <= encoder.configuration.maxPositions, source, "input_ids", ids,
                  expected: "[B ≤ 1024, L ≤ \(encoder.configuration.maxPositions)]")
    }
}
