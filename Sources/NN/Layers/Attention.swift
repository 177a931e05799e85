import MLXCore

/// Multi-head attention as diffusers' `Attention` (to_q, to_k, to_v, to_out.0): self-attention
/// when no context is given, cross-attention over `context` otherwise. Without a mask the heads stay
/// packed ([B, L, H·D]) for `multiHeadAttention`; with one, they are split for `scaledDotProductAttention`.
public final class MultiHeadAttention: Module {
    public let toQ: Linear
    public let toK: Linear
    public let toV: Linear
    public let toOut: [Linear]
    public let heads: Int
    public let headDimensions: Int

    public override var keyOverrides: [String: String] { ["toQ": "to_q", "toK": "to_k", "toV": "to_v", "toOut": "to_out"] }

    /// `queryDimensions` is the input width; `contextDimensions` the width of the cross-attention
    /// context (nil: self-attention). The inner width is heads × headDimensions.
    public init(queryDimensions: Int, contextDimensions: Int? = nil, heads: Int, headDimensions: Int,
                projectionBias: Bool = false, outputBias: Bool = true) throws {
        let inner = heads * headDimensions
        let context = contextDimensions ?? queryDimensions
        toQ = try Linear(queryDimensions, inner, bias: projectionBias)
        toK = try Linear(context, inner, bias: projectionBias)
        toV = try Linear(context, inner, bias: projectionBias)
        toOut = [try Linear(inner, queryDimensions, bias: outputBias)]
        self.heads = heads
        self.headDimensions = headDimensions
    }

    /// x [B, L, C]; context [B, S, C_ctx] or nil; mask broadcastable to [B, heads, L, S] (additive).
    public func callAsFunction(_ x: MLXArray, context: MLXArray? = nil, mask: MLXArray? = nil) throws -> MLXArray {
        let source = context ?? x
        let scale = 1 / Float(headDimensions).squareRoot()
        guard let mask else {
            return try toOut[0](multiHeadAttention(queries: toQ(x), keys: toK(source), values: toV(source), heads: heads, scale: scale))
        }
        let q = try splitHeads(toQ(x))
        let k = try splitHeads(toK(source))
        let v = try splitHeads(toV(source))
        let attended = try scaledDotProductAttention(
            queries: q, keys: k, values: v, scale: scale, mask: mask)
        let batch = x.dim(0), length = x.dim(1)
        return try toOut[0](attended.transposed(0, 2, 1, 3).reshaped(batch, length, heads * headDimensions))
    }

    private func splitHeads(_ t: MLXArray) throws -> MLXArray {
        try t.reshaped(t.dim(0), t.dim(1), heads, headDimensions).transposed(0, 2, 1, 3)
    }
}
