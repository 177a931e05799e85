import MLXCore

/// A rendered view: the latent picture the prior sees and the per-pixel opacity.
public struct RenderedView {
    /// [1, H, W, C] latent image, background composited.
    public let latents: MLXArray
    /// [H, W] accumulated opacity Σ wᵢ.
    public let opacity: MLXArray
    /// [H, W] expected distance from the camera to where the ray stops, Σ wᵢ tᵢ / Σ wᵢ.
    public let depth: MLXArray
}

/// Emission–absorption volume rendering (NeRF's quadrature): along each ray
/// αᵢ = 1 − exp(−σᵢ δᵢ), Tᵢ = exp(−Σ_{j<i} σⱼ δⱼ), wᵢ = Tᵢ αᵢ; the pixel is Σ wᵢ fᵢ plus
/// (1 − Σ wᵢ) times the background. Differentiable with respect to the field through MLX.
public struct VolumeRenderer {
    public var samplesPerRay: Int

    public init(samplesPerRay: Int) {
        self.samplesPerRay = samplesPerRay
    }

    /// The sample points of a width × height view (one ray per pixel).
    public func samples(camera: OrbitCamera, width: Int, height: Int, bound: Float, jitter: (() -> Float)? = nil) throws -> RaySamples {
        try RaySamples(origin: camera.position, directions: camera.rayDirections(width: width, height: height),
                       bound: bound, samplesPerRay: samplesPerRay, jitter: jitter)
    }

    /// Renders `field` at the given samples of a width × height view in front of `background` [C].
    public func render(_ field: LatentField, samples: RaySamples, width: Int, height: Int, background: MLXArray) throws -> RenderedView {
        let (image, opacity, weights) = try composite(field.sample(samples.points), intervals: samples.intervals, background: background)
        let depth = try (weights * samples.distances).sum(axis: 1) / maximum(opacity, 1e-6)
        return RenderedView(latents: try image.reshaped([1, height, width, field.featureChannels]),
                            opacity: try opacity.reshaped([height, width]), depth: try depth.reshaped([height, width]))
    }

    /// Renders `field` from `camera` at stratum midpoints (for outputs, not training).
    public func render(_ field: LatentField, camera: OrbitCamera, width: Int, height: Int, background: MLXArray) throws -> RenderedView {
        try render(field, samples: samples(camera: camera, width: width, height: height, bound: field.bound), width: width, height: height,
                   background: background)
    }

    /// Per-ray composite of field samples ([R·S] densities, [R·S, C] features): colour [R, C],
    /// opacity [R] and the sample weights [R, S].
    public func composite(_ sample: FieldSample, intervals: MLXArray, background: MLXArray) throws -> (MLXArray, MLXArray, MLXArray) {
        let rays = intervals.dim(0), perRay = intervals.dim(1)
        let opticalDepth = try sample.density.reshaped([rays, perRay]) * intervals
        let transmittance = try exp(-opticalDepth.cumulativeSum(axis: 1, inclusive: false))
        let alpha = try 1 - exp(-opticalDepth)
        let weights = try transmittance * alpha
        let opacity = try weights.sum(axis: 1)
        let features = try sample.features.reshaped([rays, perRay, -1])
        let colour = try (weights.expandedDimensions(axis: -1) * features).sum(axis: 1)
            + (1 - opacity).expandedDimensions(axis: -1) * background.reshaped([1, -1])
        return (colour, opacity, weights)
    }
}
