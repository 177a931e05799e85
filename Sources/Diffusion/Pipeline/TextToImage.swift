import MLXCore

/// Settings of one text-to-image run (diffusers' StableDiffusionPipeline arguments).
public struct GenerationSettings: Codable, Equatable, Sendable {
    public var prompt: String
    public var negativePrompt = ""
    public var steps = 30
    public var guidanceScale: Float = 7.5
    public var sampler = "ddim"
    public var seed: UInt64 = 0
    public var count = 1
    /// Image size in pixels; nil: the UNet's sample_size × the VAE factor.
    public var height: Int?
    public var width: Int?

    public init(prompt: String) { self.prompt = prompt }
}

/// Stable Diffusion text-to-image sampling with classifier-free guidance.
public final class StableDiffusion {
    public let prompts: PromptEncoder
    public let unet: UNet2DConditionModel
    public let vae: AutoencoderKL
    public let schedule: NoiseSchedule

    public init(prompts: PromptEncoder, unet: UNet2DConditionModel, vae: AutoencoderKL, schedule: NoiseSchedule) {
        self.prompts = prompts
        self.unet = unet
        self.vae = vae
        self.schedule = schedule
    }

    /// Loads every component of a Stable Diffusion model (diffusers folder or single file).
    public static func load(_ source: any StableDiffusionSource, dtype: DType = .float32) throws -> StableDiffusion {
        let tokenizer = try source.makeTokenizer()
        let textEncoder = try source.loadTextEncoder(dtype: dtype)
        guard tokenizer.vocabularySize <= textEncoder.configuration.vocabularySize else {
            throw DiffusionError.invalidInput(
                "'\(source.path)': the tokenizer has \(tokenizer.vocabularySize) tokens but the text encoder only \(textEncoder.configuration.vocabularySize)")
        }
        let encoder = PromptEncoder(tokenizer: tokenizer, textEncoder: textEncoder)
        let schedule = try NoiseSchedule(config: source.schedulerConfig())
        return StableDiffusion(prompts: encoder, unet: try source.loadUNet(dtype: dtype), vae: try source.loadVAE(dtype: dtype),
                               schedule: schedule)
    }

    /// The default image size: the UNet's sample size in latents, times the VAE's downsampling.
    public var defaultImageSize: Int { unet.configuration.sampleSize * vae.configuration.downsamplingFactor }

    /// Images [H, W, 3] in [−1, 1], one per `settings.count`. `progress(step, total)` returning
    /// false cancels the run (throws `CancellationError`). `initialNoise` [count, h, w, C] replaces
    /// the seeded starting noise (it is scaled by the sampler's initial σ, as diffusers scales `latents`).
    public func generate(_ settings: GenerationSettings, initialNoise: MLXArray? = nil,
                         progress: (Int, Int) -> Bool = { _, _ in true }) throws -> [MLXArray] {
        try decode(sample(settings, initialNoise: initialNoise, progress: progress))
    }

    /// Denoised latents (scaled, [count, h, w, C]) before decoding.
    public func sample(_ settings: GenerationSettings, initialNoise: MLXArray? = nil,
                       progress: (Int, Int) -> Bool = { _, _ in true }) throws -> MLXArray {
        guard !settings.prompt.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DiffusionError.invalidInput("the prompt is empty")
        }
        guard settings.count >= 1 else { throw DiffusionError.invalidInput("count must be at least 1, got \(settings.count)") }
        guard let kind = SamplerKind(rawValue: settings.sampler) else {
            throw DiffusionError.invalidInput("unknown scheduler '\(settings.sampler)' (use \(SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let factor = vae.configuration.downsamplingFactor
        let (height, width) = (settings.height ?? defaultImageSize, settings.width ?? defaultImageSize)
        guard height > 0, width > 0, height % factor == 0, width % factor == 0 else {
            throw DiffusionError.invalidInput("height and width must be positive multiples of \(factor), got \(height)×\(width)")
        }
        let sampler = try kind.make(schedule: schedule, steps: settings.steps)
        let count = settings.count
        let embeddings = try prompts.encode([settings.negativePrompt, settings.prompt])
        let context = try concatenated([
            embeddings.sliced(axis: 0, 0..<1).broadcast(to: [count, embeddings.dim(1), embeddings.dim(2)]),
            embeddings.sliced(axis: 0, 1..<2).broadcast(to: [count, embeddings.dim(1), embeddings.dim(2)]),
        ]).asType(unet.parameterDType)

        var key = try Random.key(settings.seed)
        func nextKey() throws -> MLXArray {
            let parts = try Random.split(key)
            key = parts[0]
            return parts[1]
        }
        let shape = [count, height / factor, width / factor, unet.configuration.inChannels]
        if let initialNoise, initialNoise.shape != shape {
            throw DiffusionError.invalidInput("initial noise must have shape \(shape), got \(initialNoise.shape)")
        }
        var latents = try (initialNoise ?? Random.normal(shape, key: nextKey())) * sampler.initialNoiseScale
        for (index, t) in sampler.timesteps.enumerated() {
            let input = try sampler.scaleModelInput(latents, stepIndex: index)
            let doubled = try concatenated([input, input]).asType(unet.parameterDType)
            let output = try unet(doubled, timesteps: try MLXArray([Float(t)]), context: context).asType(.float32)
            let halves = try output.split(parts: 2, axis: 0)
            let guided = try halves[0] + (halves[1] - halves[0]) * settings.guidanceScale
            let noise = kind == .ddpm ? try Random.normal(shape, key: nextKey()) : nil
            latents = try sampler.step(modelOutput: guided, stepIndex: index, sample: latents, noise: noise)
            try latents.eval()
            if !progress(index + 1, sampler.timesteps.count) { throw CancellationError() }
        }
        return latents
    }

    /// Scaled latents [N, h, w, C] → images [H, W, 3] in [−1, 1].
    public func decode(_ latents: MLXArray) throws -> [MLXArray] {
        let images = try vae.decode((latents / vae.scalingFactor).asType(vae.parameterDType)).asType(.float32)
        try images.eval()
        return try (0..<latents.dim(0)).map { try images.index($0) }
    }
}

public struct CancellationError: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "cancelled" }
}
