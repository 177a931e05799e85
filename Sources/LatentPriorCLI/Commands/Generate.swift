import ArgumentParser
import Diffusion
import Foundation
import ImageIO
import MLXCore

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Text-to-image sampling with classifier-free guidance; writes PNGs and a grid.")

    @OptionGroup var modelOption: ModelOption

    @Option(help: "What to draw.")
    var prompt: String

    @Option(help: "What to steer away from (the unconditional prompt).")
    var negativePrompt = ""

    @Option(help: "Denoising steps.")
    var steps = 30

    @Option(help: "Classifier-free guidance scale (default: the model's latent_prior.json, else 7.5).")
    var guidanceScale: Float?

    @Option(help: "ddim, euler or ddpm.")
    var scheduler = "ddim"

    @Option(help: "Random seed (same seed, same images).")
    var seed: UInt64 = 0

    @Option(help: "Number of images.")
    var count = 1

    @Option(help: "Image height in pixels (default: the model's native size).")
    var height: Int?

    @Option(help: "Image width in pixels (default: the model's native size).")
    var width: Int?

    @Option(help: "Compute dtype: float32, float16 or bfloat16.")
    var dtype: DType = .float32

    @Option(help: "Output folder for sample-NNN.png and grid.png.")
    var output: String

    @Option(help: ArgumentHelp(
        "A safetensors file with 'latents' [count, channels, h, w] (PyTorch layout): the starting noise instead of the seed's, as diffusers' latents= (count, height and width follow from it).",
        valueName: "file"))
    var initialNoise: String?

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        var settings = GenerationSettings(prompt: prompt)
        settings.negativePrompt = negativePrompt
        settings.steps = steps
        settings.guidanceScale = guidanceScale ?? DefaultModel.recommendedGuidance(command: "generate", model: modelOption.path, otherwise: 7.5)
        settings.sampler = scheduler
        settings.seed = seed
        settings.count = count
        settings.height = height
        settings.width = width
        let pipeline = try StableDiffusion.load(try modelOption.open(), dtype: dtype)
        let noise = try initialNoise.map { try startingNoise($0, pipeline: pipeline, settings: &settings) }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let progress = ProgressBar(total: steps, label: "sampling")
        let images = try pipeline.generate(settings, initialNoise: noise) { step, _ in
            progress.update(step: step)
            return true
        }
        let pictures = try images.map { try RGBImage($0) }
        for (index, picture) in pictures.enumerated() {
            try PNG.write(picture, to: "\(output)/sample-\(String(format: "%03d", index)).png")
        }
        try PNG.write(imageGrid(pictures), to: "\(output)/grid.png")
        print("wrote \(pictures.count) image\(pictures.count == 1 ? "" : "s") and grid.png to \(output)")
    }

    /// The `latents` of `path` in the sampler's layout [count, h, w, C]; the settings' count and size follow them.
    private func startingNoise(_ path: String, pipeline: StableDiffusion, settings: inout GenerationSettings) throws -> MLXArray {
        guard let latents = try SafetensorsFile.load(path).tensors["latents"] else {
            throw InputError("--initial-noise '\(path)': no tensor 'latents' (expected [count, channels, h, w])")
        }
        let channels = pipeline.unet.configuration.inChannels
        guard latents.ndim == 4, latents.dim(1) == channels, latents.dim(0) >= 1 else {
            throw InputError("--initial-noise '\(path)': 'latents' must be [count, \(channels), h, w], got \(latents.shape)")
        }
        let factor = pipeline.vae.configuration.downsamplingFactor
        settings.count = latents.dim(0)
        settings.height = latents.dim(2) * factor
        settings.width = latents.dim(3) * factor
        return try latents.asType(.float32).transposed(0, 2, 3, 1)
    }
}
