import MLXCore

/// The KL regulariser (SPEC §2): per latent channel c, μ_c and σ²_c (population variance) over
/// the batch and all positions; L = ½ Σ_c (μ_c² + σ_c² − log σ_c² − 1) = Σ_c KL(N(μ_c, σ_c²) ‖ N(0, 1)).
/// latents [B, h, w, C].
public func kullbackLeiblerRegularizer(_ latents: MLXArray) throws -> MLXArray {
    let values = try latents.asType(.float32)
    let mean = try values.mean(axes: [0, 1, 2])
    let variance = try values.variance(axes: [0, 1, 2])
    return try ((square(mean) + variance - log(variance)) - 1).sum() * 0.5
}

/// The LSD surrogate ½‖v − sg(v − g)‖², whose gradient with respect to v is exactly g.
public func scoreDistillationSurrogate(_ latents: MLXArray, gradient: MLXArray) throws -> MLXArray {
    let target = try stopGradient(latents - gradient)
    return try square(latents.asType(.float32) - target.asType(.float32)).sum() * 0.5
}

/// Σ_ℓ mean |features_ℓ − sg(targets_ℓ)|: the feature-matching loss given matching feature lists.
public func featureMatchingDistance(_ features: [MLXArray], targets: [MLXArray]) throws -> MLXArray {
    var total = try MLXArray(Float(0))
    for (feature, target) in zip(features, targets) {
        total = try total + abs(feature.asType(.float32) - stopGradient(target).asType(.float32)).mean()
    }
    return total
}
