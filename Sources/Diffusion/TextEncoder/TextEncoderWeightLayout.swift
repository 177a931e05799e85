import MLXCore

/// transformers writes CLIP text encoders in two key layouts, and loads both: with the `text_model.`
/// prefix (`text_model.embeddings.token_embedding.weight`, what `CLIPTextModel.save_pretrained`
/// writes) and without it (`embeddings.token_embedding.weight`, the base model's own names, found
/// in published folders and loaded by transformers 5 through its base-model-prefix rule). Our
/// module's names carry the prefix, so the bare layout is prefixed here.
enum TextEncoderWeightLayout {
    static let prefix = "text_model."
    /// Keys that only the bare layout has at its top level.
    static let bareMarkers = ["embeddings.token_embedding.weight", "encoder.layers.0.self_attn.q_proj.weight", "final_layer_norm.weight"]

    /// `weights` keyed as our module expects; a file that matches neither layout is returned as it is,
    /// so that loading names the keys it misses.
    static func normalised(_ weights: [String: MLXArray]) -> [String: MLXArray] {
        let hasPrefixed = weights.keys.contains { $0.hasPrefix(prefix) }
        guard !hasPrefixed, bareMarkers.contains(where: { weights[$0] != nil }) else { return weights }
        return Dictionary(uniqueKeysWithValues: weights.map { (prefix + $0.key, $0.value) })
    }
}
