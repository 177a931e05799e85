import MLXCore
import NN

/// What a field returns at sample points: volume density σ ≥ 0 [N] and the latent "colour"
/// [N, C] (C = the diffusion model's latent channels). Shading-free, as in Latent-NeRF: the
/// latent is emitted as is, so the prior sees the field's own latent picture.
public struct FieldSample {
    public let density: MLXArray
    public let features: MLXArray
}

/// A differentiable 3D field of density and latent features inside the box [−bound, bound]³.
public protocol LatentField: Module {
    var bound: Float { get }
    var featureChannels: Int { get }
    /// Density and features at `points` [N, 3] (world coordinates).
    func sample(_ points: MLXArray) throws -> FieldSample
}

extension LatentField {
    /// World coordinates → [0, 1]³ grid coordinates (clamped: the box's faces hold the rest).
    func normalised(_ points: MLXArray) throws -> MLXArray {
        try clip((points + bound) / (2 * bound), min: 0, max: 1)
    }
}

/// Stable-DreamFusion's density blob: a bump of height `density` at the origin that falls linearly
/// to zero at `radius`, added to the raw density, so training starts from a solid ball in the
/// middle of the scene rather than from empty space (where the prior's gradient would vanish).
public struct DensityBlob: Codable, Equatable, Sendable {
    public var density: Float = 10
    public var radius: Float = 0.5

    public init(density: Float = 10, radius: Float = 0.5) {
        self.density = density
        self.radius = radius
    }

    func callAsFunction(_ points: MLXArray) throws -> MLXArray {
        let distance = try sqrt(square(points).sum(axis: -1))
        return try (1 - distance / radius) * density
    }
}

/// softplus(x) = log(1 + eˣ): a smooth non-negative density activation that does not overflow.
func softplus(_ x: MLXArray) throws -> MLXArray {
    try logAddExp(x, zeros(like: x))
}

public enum FieldError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .invalidSetting(let message): return message
        }
    }
}
