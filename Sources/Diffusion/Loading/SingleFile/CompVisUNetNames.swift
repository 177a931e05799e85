import MLXCore

/// CompVis UNet names → diffusers names (the facts of diffusers' `convert_ldm_unet_checkpoint`,
/// written from the two layouts): `input_blocks.0.0` is conv_in; then per level `layers` resnet(+
/// attention) blocks `input_blocks.i.0`/`.1` and, except on the last level, a downsampler
/// `input_blocks.i.0.op`; `middle_block.0/1/2` = resnet, attention, resnet; `output_blocks.i` per
/// level `layers + 1` blocks, the upsampler at `.1.conv` or `.2.conv` (after an attention).
struct CompVisUNetNames {
    let levels: Int
    let layersPerBlock: Int

    /// Reads the level and block counts from the input block indices.
    init(_ keys: some Collection<String>, path: String) throws {
        let inputBlocks = Set(keys.compactMap { Self.index(after: "input_blocks.", in: $0) })
        let downsamplers = Set(keys.compactMap { key -> Int? in
            guard let index = Self.index(after: "input_blocks.", in: key), key.hasPrefix("input_blocks.\(index).0.op.") else { return nil }
            return index
        })
        levels = downsamplers.count + 1
        let count = inputBlocks.count
        guard count > levels, (count - levels) % levels == 0, inputBlocks == Set(0..<count) else {
            throw DiffusionError.invalidInput(
                "'\(path)': UNet input_blocks 0…\(count - 1) do not form \(levels) levels of equal depth (a layout other than SD 1.x/2.x)")
        }
        layersPerBlock = (count - levels) / levels
    }

    static func index(after prefix: String, in key: String) -> Int? {
        guard key.hasPrefix(prefix) else { return nil }
        return Int(key.dropFirst(prefix.count).prefix { $0 != "." })
    }

    /// The ResnetBlock2D names inside one resnet.
    static func resnetPart(_ rest: Substring) -> String {
        let renames = [("in_layers.0.", "norm1."), ("in_layers.2.", "conv1."), ("emb_layers.1.", "time_emb_proj."),
                       ("out_layers.0.", "norm2."), ("out_layers.3.", "conv2."), ("skip_connection.", "conv_shortcut.")]
        for (old, new) in renames where rest.hasPrefix(old) { return new + rest.dropFirst(old.count) }
        return String(rest)
    }

    /// The diffusers name of `key`, or nil for a key of no known place.
    func diffusersName(_ key: String) -> String? {
        let fixed = ["time_embed.0.": "time_embedding.linear_1.", "time_embed.2.": "time_embedding.linear_2.",
                     "input_blocks.0.0.": "conv_in.", "out.0.": "conv_norm_out.", "out.2.": "conv_out."]
        for (old, new) in fixed where key.hasPrefix(old) { return new + key.dropFirst(old.count) }
        if key.hasPrefix("middle_block.") {
            let parts = key.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, let part = Int(parts[1]) else { return nil }
            if part == 0 || part == 2 { return "mid_block.resnets.\(part / 2).\(Self.resnetPart(parts[2]))" }
            return part == 1 ? "mid_block.attentions.0.\(parts[2])" : nil
        }
        let parts = key.split(separator: ".", maxSplits: 3)
        guard parts.count == 4, let block = Int(parts[1]), let part = Int(parts[2]) else { return nil }
        let rest = parts[3]
        switch parts[0] {
        case "input_blocks":
            let level = (block - 1) / (layersPerBlock + 1), layer = (block - 1) % (layersPerBlock + 1)
            guard block >= 1, level < levels else { return nil }
            if layer == layersPerBlock {
                guard part == 0, rest.hasPrefix("op.") else { return nil }
                return "down_blocks.\(level).downsamplers.0.conv.\(rest.dropFirst(3))"
            }
            if part == 0 { return "down_blocks.\(level).resnets.\(layer).\(Self.resnetPart(rest))" }
            if part == 1 { return "down_blocks.\(level).attentions.\(layer).\(rest)" }
        case "output_blocks":
            let level = block / (layersPerBlock + 1), layer = block % (layersPerBlock + 1)
            guard level < levels else { return nil }
            if part == 0 { return "up_blocks.\(level).resnets.\(layer).\(Self.resnetPart(rest))" }
            if rest.hasPrefix("conv."), part == 1 || part == 2 { return "up_blocks.\(level).upsamplers.0.\(rest)" }
            if part == 1 { return "up_blocks.\(level).attentions.\(layer).\(rest)" }
        default: break
        }
        return nil
    }
}
