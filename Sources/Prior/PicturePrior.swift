import Diffusion
import MLXCore

/// How the prior's latent-space cotangent g reaches pictures that a generator makes (an edit's
/// composite, a StyleGAN's output): the pictures are VAE-encoded to v, the prior judges v, and g is
/// carried back to the pictures.
public enum PriorGradientPath: String, Codable, CaseIterable, Sendable {
    /// Through the frozen encoder: ∂/∂x ⟨sg(g), E(x)⟩ = J_Eᵀ g (SPEC §1; threestudio's RGB guidance).
    case encoder
    /// Through the frozen decoder: the latent step mapped to pixels, x moves towards
    /// D(v − g) − D(v) ≈ −J_D g. With E∘D ≈ identity, J_D ≈ J_E⁻¹ on the pictures the VAE
    /// reproduces: a Gauss–Newton step instead of a gradient step. Where the encoder's transpose
    /// scatters g into high-frequency patterns (the toy VAE: docs/EDITING.md) it keeps the colours.
    case decoder
}

/// The prior applied to pictures in [0, 1] (channels-last [B, H, W, 3]) through a VAE.
public struct PicturePrior {
    public let prior: LatentDiffusionPrior
    public let path: PriorGradientPath

    public init(prior: LatentDiffusionPrior, path: PriorGradientPath) {
        self.prior = prior
        self.path = path
    }

    /// The scaled latent of pictures in [0, 1] (float32), through the frozen encoder (differentiable).
    public func encode(_ pictures: MLXArray) throws -> MLXArray {
        let vae = prior.vae
        return try (vae.encode((pictures * 2 - 1).asType(vae.parameterDType)).mean * vae.scalingFactor).asType(.float32)
    }

    /// A scalar whose gradient with respect to `pictures` carries the prior's λ-weighted cotangent
    /// from `evaluation` (made at v = E(pictures), `latents`): ⟨sg(g), v⟩ through the encoder, or
    /// ⟨sg(D(v) − D(v − g))/2, pictures⟩ through the decoder (the latent step as a change of the
    /// picture, halved from the VAE's [−1, 1] to [0, 1]). `clampLSD` bounds λ_LSD g_LSD element-wise
    /// before FM's and KL's gradients join it (StyleGANFusion clamps its SDS gradient to [−1, 1]).
    public func surrogate(_ evaluation: PriorEvaluation, latents v: MLXArray, pictures: MLXArray, clampLSD: Float? = nil) throws -> MLXArray {
        let c = prior.configuration
        var g: MLXArray
        if let clampLSD {
            g = try clip(evaluation.lsdGradient * c.lambdaLSD, min: -clampLSD, max: clampLSD)
            if let fm = evaluation.fmGradient { g = try g + fm * c.lambdaFM }
            if let kl = evaluation.klGradient { g = try g + kl * c.lambdaKL }
        } else {
            g = try evaluation.totalGradient(c)
        }
        g = try stopGradient(g)
        switch path {
        case .encoder:
            return try (g * v).sum()
        case .decoder:
            let vae = prior.vae
            let fixed = try stopGradient(v)
            let decoded = try vae.decode((concatenated([fixed, fixed - g], axis: 0) / vae.scalingFactor).asType(vae.parameterDType))
            let halves = try decoded.asType(.float32).split(parts: 2, axis: 0)
            return try (stopGradient((halves[0] - halves[1]) * 0.5) * pictures).sum()
        }
    }
}
