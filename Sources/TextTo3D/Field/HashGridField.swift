import Foundation
import MLXCore
import NN

/// Latent-NeRF's backbone: a multi-resolution hash encoding (levels from `coarsestResolution`
/// to `finestResolution` cells per axis, growing geometrically) and a small MLP (ReLU) to
/// 1 + C outputs: raw density (plus the blob, through softplus) and C latent channels.
public final class HashGridField: Module, LatentField {
    public struct Settings: Codable, Equatable, Sendable {
        public var levels = 12
        public var featuresPerLevel = 2
        public var log2TableSize = 16
        public var coarsestResolution = 8
        public var finestResolution = 128
        public var hiddenWidth = 64
        public var hiddenLayers = 2
        public var blob = DensityBlob()

        public init() {}

        /// Cells per axis of each level: n_l = ⌊n_min · b^l⌋, b = (n_max / n_min)^(1 / (L − 1)).
        public func resolutions() -> [Int] {
            guard levels > 1 else { return [coarsestResolution] }
            let growth = exp((log(Double(finestResolution)) - log(Double(coarsestResolution))) / Double(levels - 1))
            return (0..<levels).map { Int((Double(coarsestResolution) * pow(growth, Double($0))).rounded(.down)) }
        }
    }

    public let bound: Float
    public let featureChannels: Int
    let settings: Settings
    let encoding: FeatureGrid
    let layers: [Linear]

    public init(settings: Settings, featureChannels: Int, bound: Float, key: MLXArray) throws {
        guard settings.levels > 0, settings.featuresPerLevel > 0, settings.hiddenWidth > 0, settings.hiddenLayers >= 0,
              (1...24).contains(settings.log2TableSize), settings.coarsestResolution > 0,
              settings.finestResolution >= settings.coarsestResolution else {
            throw FieldError.invalidSetting("invalid hash-grid settings \(settings)")
        }
        self.settings = settings
        self.bound = bound
        self.featureChannels = featureChannels
        let rows = 1 << settings.log2TableSize
        // Instant-NGP initialises the table with U(−1e-4, 1e-4): nearly zero, yet not symmetric.
        let table = try Random.uniform([settings.levels * rows, settings.featuresPerLevel], low: -1e-4, high: 1e-4, key: key)
        encoding = try FeatureGrid(resolutions: settings.resolutions(), rowsPerLevel: rows,
                                   featuresPerLevel: settings.featuresPerLevel, initialValues: table)
        var widths = [encoding.outputDimensions] + Array(repeating: settings.hiddenWidth, count: settings.hiddenLayers)
        widths.append(1 + featureChannels)
        layers = try zip(widths, widths.dropFirst()).map { try Linear($0, $1) }
    }

    public func sample(_ points: MLXArray) throws -> FieldSample {
        var x = try encoding(normalised(points))
        for (index, layer) in layers.enumerated() {
            x = try layer(x)
            if index < layers.count - 1 { x = try relu(x) }
        }
        let parts = try x.split(at: [1], axis: -1)
        let density = try softplus(parts[0].squeezed(axes: [-1]) + settings.blob(points))
        return FieldSample(density: density, features: parts[1])
    }
}
