import MLXCore

/// Regularisers on a view's accumulated opacity a ∈ [0, 1] (per pixel).
enum OpacityRegularizers {
    /// Mean binary entropy −a log a − (1 − a) log(1 − a): zero for empty or opaque rays, so it
    /// pushes the field towards a crisp surface (Latent-NeRF's "sparsity" loss).
    static func entropy(_ opacity: MLXArray) throws -> MLXArray {
        let a = try clip(opacity, min: 1e-5, max: 1 - 1e-5)
        return try (-(a * log(a)) - (1 - a) * log(1 - a)).mean()
    }

    /// Mean opacity: a small pressure towards empty space, against haze and floaters (threestudio's λ_sparsity).
    static func sparsity(_ opacity: MLXArray) throws -> MLXArray {
        try opacity.mean()
    }
}

extension OpacityRegularizers {
    /// λ_ent · entropy + λ_sp · sparsity with the run's weights.
    static func total(_ opacity: MLXArray, _ c: TextTo3DConfiguration) throws -> MLXArray {
        try entropy(opacity) * c.lambdaOpacityEntropy + sparsity(opacity) * c.lambdaSparsity
    }
}
