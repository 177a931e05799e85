import MLXCore

/// The text encoders of single checkpoints in transformers' CLIPTextModel names.
/// SD 1.x files hold transformers' own CLIPTextModel (either key layout). SD 2.x files hold
/// OpenCLIP's text tower (the facts of diffusers' `convert_open_clip_checkpoint`): `resblocks.N`
/// with `ln_1`/`ln_2`, `mlp.c_fc`/`mlp.c_proj`, and the query, key and value projections fused in
/// `attn.in_proj_weight` [3D, D]; SD 2.x conditions on the penultimate layer's output, so the last
/// resblock is not part of the model (diffusers' SD 2 text encoder has one layer fewer), and
/// `text_projection`/`logit_scale` are not used.
enum CompVisTextEncoderNames {
    static func fromCLIP(_ tensors: [String: MLXArray]) -> [String: MLXArray] {
        TextEncoderWeightLayout.normalised(tensors).filter { $0.key != "text_model.embeddings.position_ids" }
    }

    static func fromOpenCLIP(_ tensors: [String: MLXArray], path: String) throws -> [String: MLXArray] {
        let blocks = Set(tensors.keys.compactMap { CompVisUNetNames.index(after: "transformer.resblocks.", in: $0) })
        guard let last = blocks.max(), blocks == Set(0...last), last >= 1 else {
            throw DiffusionError.invalidInput("'\(path)': OpenCLIP text encoder with resblocks \(blocks.sorted()) (expected 0…N, N ≥ 1)")
        }
        var result: [String: MLXArray] = [:]
        let fixed = ["token_embedding.weight": "text_model.embeddings.token_embedding.weight",
                     "positional_embedding": "text_model.embeddings.position_embedding.weight",
                     "ln_final.weight": "text_model.final_layer_norm.weight", "ln_final.bias": "text_model.final_layer_norm.bias"]
        let ignored: Set<String> = ["text_projection", "logit_scale", "attn_mask"]
        for (key, value) in tensors {
            if let name = fixed[key] {
                result[name] = value
                continue
            }
            if ignored.contains(key) || key.hasPrefix("visual.") { continue }
            guard let block = CompVisUNetNames.index(after: "transformer.resblocks.", in: key) else {
                throw DiffusionError.invalidInput("'\(path)': unknown OpenCLIP text encoder tensor 'cond_stage_model.model.\(key)'")
            }
            if block == last { continue }
            let rest = String(key.dropFirst("transformer.resblocks.\(block).".count))
            let layer = "text_model.encoder.layers.\(block)."
            switch rest {
            case "attn.in_proj_weight", "attn.in_proj_bias":
                let kind = rest.hasSuffix("weight") ? "weight" : "bias"
                guard value.dim(0) % 3 == 0 else {
                    throw DiffusionError.invalidInput("'\(path)': \(key) has \(value.dim(0)) rows, not a multiple of 3 (fused q, k, v)")
                }
                let width = value.dim(0) / 3
                for (index, name) in ["q_proj", "k_proj", "v_proj"].enumerated() {
                    result["\(layer)self_attn.\(name).\(kind)"] = try value.sliced(axis: 0, (index * width)..<((index + 1) * width))
                }
            default:
                let renames = ["ln_1.": "layer_norm1.", "ln_2.": "layer_norm2.", "attn.out_proj.": "self_attn.out_proj.",
                               "mlp.c_fc.": "mlp.fc1.", "mlp.c_proj.": "mlp.fc2."]
                guard let (old, new) = renames.first(where: { rest.hasPrefix($0.key) }) else {
                    throw DiffusionError.invalidInput("'\(path)': unknown OpenCLIP text encoder tensor 'cond_stage_model.model.\(key)'")
                }
                result[layer + new + rest.dropFirst(old.count)] = value
            }
        }
        return result
    }
}
