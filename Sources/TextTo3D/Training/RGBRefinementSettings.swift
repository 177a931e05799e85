import Prior

/// Latent-NeRF's second stage: after the latent iterations the field gets an RGB head
/// (`ColourHead`), renders pictures, and the prior judges their VAE encoding, the gradient going
/// back through the frozen encoder, so colour and detail come from pictures rather than from a
/// 4-channel latent at an eighth of the resolution.
public struct RGBRefinementSettings: Codable, Equatable, Sendable {
    /// Adam learning rate of the MLP and the head (grids × the latent stage's multiplier). Lower
    /// than the latent stage's: the shape is made, the stage refines colour and detail.
    public var learningRate: Float = 1e-3
    /// Rays per side of a rendered picture (nil: half the model's picture size, at most 128: 32 for
    /// the toy model, 128 for SD), upsampled bilinearly to the picture size before encoding, as
    /// Latent-NeRF renders small and resizes to 512. Rendering dominates the stage's cost (it grows
    /// with the rays: toy model, 32² rays 0.56 s per iteration, 64² 2.9 s).
    public var resolution: Int?
    /// How the prior's latent cotangent reaches the picture (`PriorGradientPath`; encoder: SPEC's J_Eᵀ g).
    public var gradientPath: PriorGradientPath = .encoder

    public init() {}

    /// The rendered picture's side for a model whose pictures have `pictureSize` pixels per side.
    public func renderSize(pictureSize: Int) -> Int { resolution ?? min(max(pictureSize / 2, 8), 128) }

    func validated(pictureSize: Int?) throws -> RGBRefinementSettings {
        guard learningRate > 0, learningRate.isFinite else { throw FieldError.invalidSetting("--refine-lr must be a positive number, got \(learningRate)") }
        if let resolution {
            guard (8...1024).contains(resolution) else { throw FieldError.invalidSetting("--refine-resolution must be in 8...1024, got \(resolution)") }
            if let pictureSize, resolution > pictureSize {
                throw FieldError.invalidSetting("--refine-resolution \(resolution) is larger than the model's pictures (\(pictureSize) pixels)")
            }
        }
        return self
    }
}
