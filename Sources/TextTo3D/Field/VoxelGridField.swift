import MLXCore
import NN

/// SJC's backbone: a dense voxel grid of raw density and C latent channels, read by trilinear
/// interpolation, no network. Many parameters, each touched by few rays: it wants a large
/// learning rate and an emptiness regulariser, as SJC uses.
public final class VoxelGridField: Module, LatentField {
    public struct Settings: Codable, Equatable, Sendable {
        /// Vertices per axis.
        public var resolution = 48
        public var blob = DensityBlob()

        public init() {}
    }

    public let bound: Float
    public let featureChannels: Int
    let settings: Settings
    let grid: FeatureGrid

    public init(settings: Settings, featureChannels: Int, bound: Float, key: MLXArray) throws {
        guard settings.resolution >= 2 else { throw FieldError.invalidSetting("voxel resolution must be at least 2, got \(settings.resolution)") }
        self.settings = settings
        self.bound = bound
        self.featureChannels = featureChannels
        let cells = settings.resolution - 1
        let rows = FeatureGrid.vertexCount(cells)
        let values = try Random.normal([rows, 1 + featureChannels], std: 1e-2, key: key)
        grid = try FeatureGrid(resolutions: [cells], rowsPerLevel: rows, featuresPerLevel: 1 + featureChannels, initialValues: values)
    }

    public func sample(_ points: MLXArray) throws -> FieldSample {
        let parts = try grid(normalised(points)).split(at: [1], axis: -1)
        let density = try softplus(parts[0].squeezed(axes: [-1]) + settings.blob(points))
        return FieldSample(density: density, features: parts[1])
    }
}
