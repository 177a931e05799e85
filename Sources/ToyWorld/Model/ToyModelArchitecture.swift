import Diffusion

/// The tiny configurations of the toy model (SPEC §4): the same classes as Stable Diffusion,
/// 64×64 RGB images, a VAE with 4× downsampling to 16×16×4 latents, a 4-layer CLIP text encoder
/// of width 64, and a two-level UNet with cross-attention at its 8×8 level. Chosen for quality per CPU-minute.
public enum ToyModelArchitecture {
    public static let imageSize = 64

    public static func vae() -> VAEConfiguration {
        var c = VAEConfiguration()
        c.blockOutChannels = [16, 32, 32]
        c.layersPerBlock = 1
        c.latentChannels = 4
        c.normGroups = 8
        c.scalingFactor = 1  // replaced by 1/std of the trained encoder's latents
        return c
    }

    public static func textEncoder(vocabularySize: Int) -> TextEncoderConfiguration {
        var c = TextEncoderConfiguration()
        c.vocabularySize = vocabularySize
        c.hiddenSize = 64
        c.intermediateSize = 128
        c.layers = 4
        c.heads = 4
        c.maxPositions = 77
        c.activation = .quickGelu
        return c
    }

    public static func unet() -> UNetConfiguration {
        var c = UNetConfiguration()
        c.sampleSize = imageSize / 4
        c.inChannels = 4
        c.outChannels = 4
        c.blockOutChannels = [32, 64]
        // Attention only at 8×8 (64 tokens): on the CPU, softmax's exp over 16×16 tokens cost more
        // than all the convolutions of a step (measured; see docs/TOY_WORLD.md).
        c.downBlockTypes = ["DownBlock2D", "CrossAttnDownBlock2D"]
        c.upBlockTypes = ["CrossAttnUpBlock2D", "UpBlock2D"]
        c.layersPerBlock = [1, 1]
        c.transformerLayersPerBlock = [1, 1]
        c.attentionHeads = [4, 4]
        c.crossAttentionDimensions = 64
        c.normGroups = 8
        return c
    }
}
