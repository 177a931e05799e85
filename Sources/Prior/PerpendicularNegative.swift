import MLXCore

/// A negative prompt as Perp-Neg applies it (Armandpour et al., 2023; stable-dreamfusion's
/// `weighted_perpendicular_aggregator`): its guidance direction ε_neg − ε_uncond counts only through
/// its component perpendicular to the positive prompt's direction, so it removes what the negative
/// prompt adds (a face on the back view) without cancelling what the two prompts share (the object).
/// Weights are negative to push away; one weight for the whole batch or one per batch element.
public struct PerpendicularNegative {
    /// [B or 1, L, D] text embeddings.
    public let embeddings: MLXArray
    public let weights: [Float]

    public init(embeddings: MLXArray, weights: [Float]) {
        self.embeddings = embeddings
        self.weights = weights
    }

    /// stable-dreamfusion skips weights of magnitude ≤ 1e-4; a negative with none above is left out.
    var isActive: Bool { weights.contains { abs($0) > 1e-4 } }

    /// Δ₀ + Σₖ wₖ (Δₖ − ⟨Δₖ, Δ₀⟩ / max(‖Δ₀‖², 1e-6) · Δ₀): the guided direction that
    /// multiplies the guidance scale. Δ₀ = ε_pos − ε_uncond, Δₖ = ε_negₖ − ε_uncond, [B, h, w, C];
    /// inner products and norms per batch element.
    public static func guidanceDirection(positive: MLXArray, negatives: [(direction: MLXArray, weights: [Float])]) throws -> MLXArray {
        var result = positive
        guard !negatives.isEmpty else { return result }
        let batch = positive.dim(0)
        let axes = Array(1..<positive.ndim)
        let positiveNorm = try maximum(square(positive).sum(axes: axes, keepDims: true), 1e-6)
        for (direction, weights) in negatives {
            let projection = try (direction * positive).sum(axes: axes, keepDims: true) / positiveNorm
            let perpendicular = try direction - projection * positive
            let perElement = weights.count == 1 ? [Float](repeating: weights[0], count: batch) : weights
            // Weights at stable-dreamfusion's cut-off count as zero there.
            let w = try MLXArray(perElement.map { abs($0) > 1e-4 ? $0 : 0 }, shape: [batch] + [Int](repeating: 1, count: positive.ndim - 1))
            result = try result + w * perpendicular
        }
        return result
    }
}
