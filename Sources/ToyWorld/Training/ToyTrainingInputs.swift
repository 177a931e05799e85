import Diffusion
import MLXCore
import Runs

/// What each training step consumes, built from the step number alone: the rendered batch and,
/// where the VAE encoder is frozen, its latents and the noise. None of it depends on the weights
/// a stage trains, so `ToyTrainer` prepares step n + 1 on a second thread while step n trains.
struct ToyTrainingInputs {
    let configuration: ToyTrainingConfiguration
    let data: TrainingBatchSource
    let tokenizer: CLIPTokenizer
    /// Only its encoder is used, and only in the stages that freeze it.
    let vae: AutoencoderKL
    let schedule: NoiseSchedule

    struct VAEStep {
        let images: MLXArray
        let noiseKey: MLXArray
        var arrays: [MLXArray] { [images, noiseKey] }
    }

    struct DiffusionStep {
        let noisyLatents: MLXArray
        let noise: MLXArray
        let tokenIDs: MLXArray
        let timesteps: MLXArray
        var arrays: [MLXArray] { [noisyLatents, noise, tokenIDs, timesteps] }
    }

    struct DecoderStep {
        let images: MLXArray
        /// A posterior sample of the frozen encoder.
        let latents: MLXArray
        /// 1 + `decoderObjectWeight` on object pixels, 1 on the white background.
        let pixelWeights: MLXArray
        var arrays: [MLXArray] { [images, latents, pixelWeights] }
    }

    func vaeStep(_ step: Int) throws -> VAEStep {
        let (images, _) = try data.batch(index: step, size: configuration.vaeBatchSize)
        return VAEStep(images: images, noiseKey: try Random.key(configuration.seed &+ UInt64(step) &* 7919))
    }

    /// Caption dropout, timesteps, the encoder's posterior sample (scaled) and the noised latents.
    func diffusionStep(_ step: Int) throws -> DiffusionStep {
        let (images, captions) = try data.batch(index: configuration.vaeSteps + step, size: configuration.batchSize)
        var generator = SplitMix64(seed: configuration.seed &+ 0xD1FF &+ UInt64(step) &* 104_729)
        let prompts = captions.map { generator.nextUnit() < Double(configuration.captionDropout) ? "" : $0 }
        let timesteps = captions.map { _ in Int(generator.next() % UInt64(schedule.trainTimesteps)) }
        let keys = try Random.split(try Random.key(configuration.seed &+ 0xACE &+ UInt64(step)), count: 2)
        let (mean, logVariance) = try vae.encode(images)
        let latents = try stopGradient((mean + exp(logVariance * 0.5) * Random.normal(mean.shape, key: keys[0])) * vae.scalingFactor)
        let noise = try Random.normal(latents.shape, key: keys[1])
        return DiffusionStep(
            noisyLatents: try schedule.addNoise(latents, noise: noise, timesteps: timesteps),
            noise: noise,
            tokenIDs: try tokenizer.inputIDs(prompts),
            timesteps: try MLXArray(timesteps.map { Float($0) }))
    }

    func decoderStep(_ step: Int) throws -> DecoderStep {
        let (images, _) = try data.batch(index: 2_000_000 + step, size: configuration.vaeBatchSize)
        let noiseKey = try Random.key(configuration.seed &+ 0xDEC0 &+ UInt64(step) &* 7919)
        let (mean, logVariance) = try vae.encode(images)
        let latents = try stopGradient(mean + exp(logVariance * 0.5) * Random.normal(mean.shape, key: noiseKey))
        let object = try ((1 - images).max(axes: [-1], keepDims: true) .> 0.1).asType(.float32)
        return DecoderStep(images: images, latents: latents, pixelWeights: try object * configuration.decoderObjectWeight + 1)
    }
}
