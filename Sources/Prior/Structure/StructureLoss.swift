import Diffusion
import MLXCore

/// Text2LIVE's structure term (util/losses.py `calculate_structure_loss`, λ = 2) without CLIP:
/// MSE between the self-similarity matrices of the input's and the composite's features, the
/// input's under stop-gradient. Text2LIVE reads CLIP ViT tokens (output of all blocks but the
/// last); here the features are the frozen VAE encoder's, so no other network is needed.
///
/// Default layer: `mid_block`, the encoder's deepest feature map (after its attention, before
/// the projection to the latent moments). Why: the structure term should compare layout, not
/// appearance — Text2LIVE (after Splice) uses the deepest ViT tokens for that reason, and the
/// deepest VAE features are the least tied to colour and texture; its resolution is the latent's
/// (H/8 for SD, H/4 for the toy VAE), coarse like ViT's patch grid; its name is the same for
/// every VAE configuration; and it is the pass `encodeWithFeatures` already makes for the prior.
/// Cost: the matrix has T² entries, T = positions. At SD's 512² the mid block has 64² = 4096
/// positions (16.8M entries, 2·T²·C = 17 GFLOP per picture at 512 channels), so positions are
/// subsampled on a fixed strided grid to at most `maximumTokens` (default 1024: stride 2, a
/// 32 × 32 grid, 1M entries, 1.1 GFLOP — still 20× Text2LIVE's 7 × 7 ViT-B/32 grid). The toy VAE's 16² = 256
/// positions need no subsampling. Shallower layers (down_blocks.1 at H/4 is 128² = 16384
/// positions at 512², 268M entries) would be subsampled heavily and see mostly texture.
/// Measured on the toy VAE (64² synthetic disk pictures; loss for moving the disk ÷ loss for
/// recolouring it, higher = more structure than appearance): mid_block 3.9, down_blocks.0 4.0,
/// down_blocks.1 2.2, down_blocks.2 2.4. The mid block's similarities are the most alike
/// (mean 0.83, s.d. 0.15 against ≈ 0.6 ± 0.6), so its loss values are ≈ 20× smaller than the
/// shallower layers': the weight may need raising, which was not tuned here.
public struct StructureLoss: Sendable, Equatable {
    public var layer: EncoderLayer
    public var maximumTokens: Int
    /// `lambda_structure`.
    public var weight: Float

    public init(layer: EncoderLayer = .midBlock, maximumTokens: Int = 1024, weight: Float = 2) {
        self.layer = layer
        self.maximumTokens = maximumTokens
        self.weight = weight
    }

    /// Unweighted MSE between self-similarities of `inputFeatures` (target, no gradient) and
    /// `compositeFeatures`, both [N, h, w, C] from `layer`; the mean over N·T² entries is the
    /// average over pictures of Text2LIVE's per-picture MSELoss.
    public func loss(inputFeatures: MLXArray, compositeFeatures: MLXArray) throws -> MLXArray {
        guard inputFeatures.shape == compositeFeatures.shape else {
            throw PriorError.invalidInput("composite features: shape \(compositeFeatures.shape), expected \(inputFeatures.shape) (the input features' shape)")
        }
        let target = try stopGradient(SelfSimilarity.matrix(inputFeatures, maximumTokens: maximumTokens))
        let current = try SelfSimilarity.matrix(compositeFeatures, maximumTokens: maximumTokens)
        return try square(current - target).mean()
    }

    /// The same from pictures [N, H, W, 3] in [0, 1]: both go through `vae`'s encoder to `layer`.
    public func loss(input: MLXArray, composite: MLXArray, vae: AutoencoderKL) throws -> MLXArray {
        let inputFeatures = try features(of: input, vae: vae)
        return try loss(inputFeatures: stopGradient(inputFeatures), compositeFeatures: try features(of: composite, vae: vae))
    }

    /// The scaled latent (float32) of pictures in [0, 1] and `layer`'s features, in one encoder
    /// pass: what the prior needs and what this term compares.
    public func encode(_ pictures: MLXArray, vae: AutoencoderKL) throws -> (latents: MLXArray, features: MLXArray) {
        let encoded = try vae.encodeWithFeatures(PictureRange.toVAE(pictures).asType(vae.parameterDType), layers: [layer])
        return (try (encoded.mean * vae.scalingFactor).asType(.float32), try encoded.features[layer]!.asType(.float32))
    }

    /// `layer`'s features of a picture in [0, 1] (the encoder takes [−1, 1]).
    public func features(of picture: MLXArray, vae: AutoencoderKL) throws -> MLXArray {
        let features = try vae.encoderFeatures(PictureRange.toVAE(picture), layers: [layer])
        guard let map = features[layer] else {
            throw PriorError.invalidSetting("structure layer = \(layer): expected a layer of the VAE encoder")
        }
        return map
    }
}
