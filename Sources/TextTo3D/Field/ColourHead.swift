import MLXCore
import NN

/// The RGB refinement stage's colour: an affine map from the field's latent features to RGB in
/// [0, 1] — Latent-NeRF's `latent_tune` decoder layer (there a fixed linear map for SD's latents,
/// then (x + 1) / 2) — and an RGB background. Ours starts as the map fitted to the latent stage's
/// own decoded views (`LatentColourMap`), so refinement begins from the colours the latent stage
/// showed, for any VAE. The background is a colour of its own rather than the map of the latent
/// background: a small VAE's latents are not local (docs/TEXT_TO_3D.md), and one affine map fitted
/// to object and background pixels together tints both. Affine, so mapping a composited latent
/// pixel equals compositing the mapped samples: the renderer stays as it is.
public final class ColourHead: Module {
    /// [C, 3]
    public let weight: Parameter
    /// [3]
    public let bias: Parameter
    /// [3] RGB behind the object.
    public let background: Parameter

    public init(weight: MLXArray, bias: MLXArray, background: MLXArray) {
        self.weight = Parameter(weight)
        self.bias = Parameter(bias)
        self.background = Parameter(background)
    }

    /// From a fitted latent → RGB map (0…255 coefficients, the bias row last) and a background in 0…1.
    public convenience init(_ map: LatentColourMap, background: SIMD3<Float>) throws {
        let channels = map.coefficients.count - 1
        let scaled = map.coefficients.map { $0.map { Float($0 / 255) } }
        self.init(weight: try MLXArray(Array(scaled[0..<channels].joined()), shape: [channels, 3]),
                  bias: try MLXArray(scaled[channels], shape: [3]),
                  background: try MLXArray([background.x, background.y, background.z], shape: [3]))
    }

    /// A head of zeros, to be filled by a checkpoint.
    public convenience init(channels: Int) throws {
        self.init(weight: try zeros([channels, 3], dtype: .float32), bias: try zeros([3], dtype: .float32),
                  background: try zeros([3], dtype: .float32))
    }

    /// The picture of a view rendered in front of a zero latent: its object latents [1, h, w, C]
    /// (Σ wᵢ fᵢ) and opacity [h, w] → RGB [1, h, w, 3] = A Σ wᵢ fᵢ + opacity · b + (1 − opacity) ·
    /// background, which is Σ wᵢ (A fᵢ + b) + (1 − Σ wᵢ) · background. Unclamped (clamped where written).
    public func picture(objectLatents: MLXArray, opacity: MLXArray) throws -> MLXArray {
        let shape = objectLatents.shape
        let rows = try objectLatents.reshaped([-1, shape.last!])
        let a = try opacity.reshaped([-1, 1])
        let rgb = try matmul(rows, weight.value) + a * bias.value.reshaped([1, 3]) + (1 - a) * background.value.reshaped([1, 3])
        return try rgb.reshaped(Array(shape.dropLast()) + [3])
    }

    /// The head as a latent → RGB map for mesh colours (0…255 coefficients).
    public func colourMap() throws -> LatentColourMap {
        let w = try weight.value.asType(.float32).toArray(Float.self), b = try bias.value.asType(.float32).toArray(Float.self)
        let channels = w.count / 3
        return LatentColourMap(coefficients: (0..<channels).map { c in (0..<3).map { Double(w[c * 3 + $0]) * 255 } }
                               + [b.map { Double($0) * 255 }])
    }
}
