import MLXCore

/// Mask supervision in place of Text2LIVE's CLIP-relevancy bootstrap (util/losses.py
/// `calculate_relevancy_loss` and its schedule in `forward`): MSE between α and a user mask, with
/// weight λ · (1 − (step + 1) / steps) at step = 0, 1, … ("linear" `bootstrap_scheduler`), never
/// below `minimumWeight`, and off from `steps` on. λ = `lambda_bootstrap` 10, minimum
/// `lambda_bootstrap_min` 0; `bootstrap_epoch` is −1 (off) in configs/image_config.yaml and 1000
/// (all the steps) in image_example_configs/golden_horse.yaml, the default here.
public struct MaskBootstrap: Sendable, Equatable, Codable {
    public var weight: Float = 10
    public var minimumWeight: Float = 0
    /// `bootstrap_epoch`: the term applies for steps 0 ..< steps.
    public var steps: Int = 1000

    public init(weight: Float = 10, minimumWeight: Float = 0, steps: Int = 1000) {
        self.weight = weight
        self.minimumWeight = minimumWeight
        self.steps = steps
    }

    enum CodingKeys: String, CodingKey { case weight, minimumWeight = "minimum_weight", steps }

    /// The weight at `step` (0-based, as Text2LIVE's dataset counts): 0 once step ≥ steps.
    public func weight(atStep step: Int) -> Float {
        guard step >= 0, step < steps else { return 0 }
        return max(weight * (1 - Float(step + 1) / Float(steps)), minimumWeight)
    }

    /// Unweighted mean((α − mask)²) for α and mask of the same shape ([N, H, W, 1], values in [0, 1]).
    public func loss(alpha: MLXArray, mask: MLXArray) throws -> MLXArray {
        guard alpha.shape == mask.shape else {
            throw LayeredEditingError.invalidShape(what: "bootstrap mask", shape: mask.shape, expected: "\(alpha.shape) (α's shape)")
        }
        return try square(alpha - mask).mean()
    }
}
