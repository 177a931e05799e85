import MLXCore

/// CompVis VAE names → diffusers names (the facts of diffusers' `convert_ldm_vae_checkpoint`):
/// `down.i.block.j` / `up.i.block.j` are resnets (`nin_shortcut` = conv_shortcut), `mid.block_1/2`
/// the middle resnets, `mid.attn_1` the middle attention with 1×1 convolutions where diffusers has
/// linear layers, and the decoder's `up.i` are numbered from the lowest resolution up, so
/// `up.i` = `up_blocks.(levels − 1 − i)`.
enum CompVisVAENames {
    static func diffusersName(_ key: String, levels: Int) -> String? {
        for coder in ["encoder.", "decoder."] where key.hasPrefix(coder) {
            guard let inner = innerName(String(key.dropFirst(coder.count)), decoder: coder == "decoder.", levels: levels) else { return nil }
            return coder + inner
        }
        return ["quant_conv.", "post_quant_conv."].contains { key.hasPrefix($0) } ? key : nil
    }

    private static func innerName(_ key: String, decoder: Bool, levels: Int) -> String? {
        if key.hasPrefix("conv_in.") || key.hasPrefix("conv_out.") { return key }
        if key.hasPrefix("norm_out.") { return "conv_norm_out." + key.dropFirst("norm_out.".count) }
        for (old, new) in [("mid.block_1.", "mid_block.resnets.0."), ("mid.block_2.", "mid_block.resnets.1.")] where key.hasPrefix(old) {
            return new + resnetPart(key.dropFirst(old.count))
        }
        if key.hasPrefix("mid.attn_1.") {
            let renames = ["norm.": "group_norm.", "q.": "to_q.", "k.": "to_k.", "v.": "to_v.", "proj_out.": "to_out.0."]
            let rest = key.dropFirst("mid.attn_1.".count)
            for (old, new) in renames where rest.hasPrefix(old) { return "mid_block.attentions.0." + new + rest.dropFirst(old.count) }
            return nil
        }
        let parts = key.split(separator: ".", maxSplits: 3)
        guard parts.count >= 3, parts[0] == (decoder ? "up" : "down"), let level = Int(parts[1]), (0..<levels).contains(level) else { return nil }
        let blocks = decoder ? "up_blocks.\(levels - 1 - level)" : "down_blocks.\(level)"
        if parts[2] == "block", parts.count == 4 {
            let resnet = parts[3].split(separator: ".", maxSplits: 1)
            guard resnet.count == 2, let index = Int(resnet[0]) else { return nil }
            return "\(blocks).resnets.\(index).\(resnetPart(resnet[1]))"
        }
        if parts[2] == (decoder ? "upsample" : "downsample"), parts.count == 4 {
            return "\(blocks).\(decoder ? "upsamplers" : "downsamplers").0.\(parts[3])"
        }
        return nil
    }

    private static func resnetPart(_ rest: Substring) -> String {
        rest.hasPrefix("nin_shortcut.") ? "conv_shortcut." + rest.dropFirst("nin_shortcut.".count) : String(rest)
    }

    /// A 1×1 convolution kernel of the middle attention as the linear weight diffusers stores.
    static func convert(_ key: String, _ value: MLXArray) throws -> MLXArray {
        guard key.contains("mid_block.attentions.0.to_"), key.hasSuffix(".weight"), value.ndim == 4 else { return value }
        return try value.reshaped([value.dim(0), value.dim(1)])
    }
}
