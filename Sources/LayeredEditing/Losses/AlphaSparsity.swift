import MLXCore

/// Text2LIVE's alpha sparsity term (util/losses.py `calculate_alpha_reg`, weights from
/// configs/image_config.yaml): L1 = mean α, pseudo-L0 = mean((sigmoid(5α) − 0.5)·2), each the
/// average over the list of α maps of their means; the total's contribution to the loss is
/// λ_sparsity · (λ_L0 · L0 + λ_L1 · L1) = 6 · (0.01 · L0 + 0.01 · L1).
public struct AlphaSparsity: Sendable, Equatable, Codable {
    /// `lambda_sparsity`.
    public var weight: Float = 6
    /// `lambda_alpha_l0`.
    public var l0Weight: Float = 0.01
    /// `lambda_alpha_l1`.
    public var l1Weight: Float = 0.01

    public init(weight: Float = 6, l0Weight: Float = 0.01, l1Weight: Float = 0.01) {
        self.weight = weight
        self.l0Weight = l0Weight
        self.l1Weight = l1Weight
    }

    enum CodingKeys: String, CodingKey { case weight, l0Weight = "l0_weight", l1Weight = "l1_weight" }

    /// Scalars: `loss` = weight · (l0Weight · l0 + l1Weight · l1) (what enters the total), and the
    /// unweighted `l0`, `l1` for logging. Each α map (any shape, values in [0, 1]) counts equally,
    /// as Text2LIVE's crop and full-picture outputs do; a batch in one array is one map.
    public func callAsFunction(_ alphas: [MLXArray]) throws -> (loss: MLXArray, l0: MLXArray, l1: MLXArray) {
        guard !alphas.isEmpty else {
            throw LayeredEditingError.invalidSetting(name: "alpha maps", value: "none", expected: "at least one α map")
        }
        var l1Terms: [MLXArray] = [], l0Terms: [MLXArray] = []
        for alpha in alphas {
            l1Terms.append(try alpha.mean())
            l0Terms.append(try ((sigmoid(alpha * 5) - 0.5) * 2).mean())
        }
        let l1 = try stacked(l1Terms).mean()
        let l0 = try stacked(l0Terms).mean()
        let loss = try (l0 * l0Weight + l1 * l1Weight) * weight
        return (loss, l0, l1)
    }
}
