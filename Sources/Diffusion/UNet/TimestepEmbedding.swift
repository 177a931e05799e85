import Foundation
import MLXCore
import NN

/// Sinusoidal timestep features (diffusers' get_timestep_embedding, max_period 10000):
/// frequencies exp(−ln(10000) · i / (half − shift)), [sin, cos] or [cos, sin] when flipped.
func sinusoidalTimestepFeatures(_ timesteps: MLXArray, dimensions: Int, flipSinToCos: Bool, frequencyShift: Float) throws -> MLXArray {
    let half = dimensions / 2
    let exponent = try arange(0, Double(half)) * Float(-log(10000.0)) / (Float(half) - frequencyShift)
    let angles = try timesteps.asType(.float32).expandedDimensions(axis: 1) * exp(exponent).expandedDimensions(axis: 0)
    let (sine, cosine) = (try sin(angles), try cos(angles))
    var features = try concatenated(flipSinToCos ? [cosine, sine] : [sine, cosine], axis: -1)
    if dimensions % 2 == 1 {
        features = try features.padded(axes: [1], low: [0], high: [1])
    }
    return features
}

/// diffusers' TimestepEmbedding: linear_1 → SiLU → linear_2.
final class TimestepEmbedding: Module {
    let linear1: Linear
    let linear2: Linear

    override var keyOverrides: [String: String] { ["linear1": "linear_1", "linear2": "linear_2"] }

    init(inputDimensions: Int, embeddingDimensions: Int) throws {
        linear1 = try Linear(inputDimensions, embeddingDimensions)
        linear2 = try Linear(embeddingDimensions, embeddingDimensions)
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        try linear2(silu(linear1(x)))
    }
}
