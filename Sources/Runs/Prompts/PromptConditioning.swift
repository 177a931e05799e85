import Diffusion
import Prior

extension TextConditioning {
    /// The prompt's and the negative prompt's embeddings, encoded in one batch.
    public init(prompt: String, negativePrompt: String, encoder: PromptEncoder) throws {
        let embeddings = try encoder.encode([prompt, negativePrompt])
        self.init(conditional: try embeddings.sliced(axis: 0, 0..<1), unconditional: try embeddings.sliced(axis: 0, 1..<2))
    }
}

extension LatentDiffusionPrior {
    /// The prior over a loaded Stable Diffusion model's UNet, VAE and noise schedule.
    public convenience init(pipeline: StableDiffusion, configuration: PriorConfiguration) throws {
        try self.init(unet: pipeline.unet, vae: pipeline.vae, schedule: pipeline.schedule, configuration: configuration)
    }
}
