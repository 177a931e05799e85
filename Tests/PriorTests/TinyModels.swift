import Diffusion
import MLXCore
import NN
@testable import Prior

/// A tiny randomly initialised UNet + VAE (no files), for tests of the prior's own mathematics.
enum TinyModels {
    static func unetConfiguration() -> UNetConfiguration {
        var c = UNetConfiguration()
        c.blockOutChannels = [8, 16]
        c.layersPerBlock = [1, 1]
        c.transformerLayersPerBlock = [1, 1]
        c.attentionHeads = [2, 2]
        c.crossAttentionDimensions = 8
        c.normGroups = 4
        c.downBlockTypes = ["CrossAttnDownBlock2D", "DownBlock2D"]
        c.upBlockTypes = ["UpBlock2D", "CrossAttnUpBlock2D"]
        return c
    }

    static func vaeConfiguration() -> VAEConfiguration {
        var c = VAEConfiguration()
        c.blockOutChannels = [8, 16, 16]
        c.normGroups = 4
        c.layersPerBlock = 1
        return c
    }

    static func prior(_ configure: (inout PriorConfiguration) -> Void = { _ in }) throws -> LatentDiffusionPrior {
        try InitializationKeys.seed(3)
        let unet = try UNet2DConditionModel(configuration: unetConfiguration())
        let vae = try AutoencoderKL(configuration: vaeConfiguration())
        var configuration = PriorConfiguration()
        configuration.guidanceScale = 7.5
        configure(&configuration)
        return try LatentDiffusionPrior(unet: unet, vae: vae, schedule: try NoiseSchedule(), configuration: configuration)
    }

    static func conditioning(batch: Int = 1) throws -> TextConditioning {
        let keys = try Random.split(try Random.key(11))
        return TextConditioning(conditional: try Random.normal([batch, 5, 8], key: keys[0]),
                                unconditional: try Random.normal([batch, 5, 8], key: keys[1]))
    }
}
