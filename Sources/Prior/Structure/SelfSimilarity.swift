import MLXCore

/// Self-similarity of a feature map: the cosine similarity of every pair of spatial positions'
/// feature vectors, as Text2LIVE's CLIP/clip/model.py `attn_cosine_sim` computes it for ViT tokens:
/// (X Xᵀ) / max(‖x_i‖‖x_j‖, 1e-8).
public enum SelfSimilarity {
    /// The position stride that keeps at most `maximumTokens` positions of an h × w map: the
    /// smallest s with ⌈h/s⌉·⌈w/s⌉ ≤ maximumTokens.
    public static func stride(height: Int, width: Int, maximumTokens: Int) -> Int {
        var s = 1
        while ((height + s - 1) / s) * ((width + s - 1) / s) > maximumTokens, s < Swift.max(height, width) { s += 1 }
        return s
    }

    /// features [N, h, w, C] → [N, T, T], T = ⌈h/s⌉·⌈w/s⌉ positions (0, s, 2s, … along each side;
    /// a fixed grid, so the same positions are compared for input and composite).
    public static func matrix(_ features: MLXArray, maximumTokens: Int) throws -> MLXArray {
        guard features.ndim == 4 else {
            throw PriorError.invalidInput("feature map: shape \(features.shape), expected [N, h, w, C]")
        }
        guard maximumTokens >= 1 else {
            throw PriorError.invalidSetting("maximum_tokens = \(maximumTokens): expected at least 1")
        }
        let (n, h, w, c) = (features.dim(0), features.dim(1), features.dim(2), features.dim(3))
        let s = stride(height: h, width: w, maximumTokens: maximumTokens)
        let grid = s == 1 ? features : try features.sliced(start: [0, 0, 0, 0], stop: [n, h, w, c], strides: [1, s, s, 1])
        let tokens = try grid.reshaped(n, -1, c).asType(features.dtype == .float64 ? .float64 : .float32)
        // √max(‖x‖², 1e-16): the same value as ‖x‖ above 1e-8, and no infinite derivative at 0.
        let norms = try sqrt(maximum(square(tokens).sum(axis: 2, keepDims: true), 1e-16))
        let products = try matmul(tokens, tokens.swappedAxes(1, 2))
        let normProducts = try maximum(matmul(norms, norms.swappedAxes(1, 2)), 1e-8)
        return try products / normProducts
    }
}
