import MLXCore

/// The configurations of a single checkpoint's components, read from its tensors' shapes as
/// diffusers infers SD 1.x/2.x ones. What shapes cannot tell is SD's: 32 normalisation groups,
/// attention heads (SD 1.x: 8 per block; SD 2.x: head width 64), text encoder head width 64 (CLIP
/// ViT-L/14: 768/12, OpenCLIP ViT-H/14: 1024/16), activation (quick GELU for OpenAI CLIP, GELU for
/// OpenCLIP), VAE scaling factor 0.18215, and the picture size (512; 768 for a v-prediction SD 2.x).
enum SingleFileArchitecture {
    static let normGroups = 32
    static let textHeadWidth = 64
    static let unetHeadWidthSD2 = 64
    static let sd1HeadsPerBlock = 8

    /// Reads `weights[key].shape`; a missing tensor is an error naming it as the file spells it
    /// (`prefix` + key).
    private static func shapeReader(_ weights: [String: MLXArray], _ what: String, prefix: String, path: String) -> (String) throws -> [Int] {
        { key in
            guard let tensor = weights[key] else { throw DiffusionError.invalidInput("'\(path)': \(what) '\(prefix)\(key)' is missing") }
            return tensor.shape
        }
    }

    static func unet(_ weights: [String: MLXArray], names: CompVisUNetNames, family: CompVisCheckpoint.Family,
                     pictureSize: Int, path: String) throws -> UNetConfiguration {
        let shape = shapeReader(weights, "UNet tensor", prefix: CompVisCheckpoint.unetPrefix, path: path)
        var c = UNetConfiguration()
        let convIn = try shape("input_blocks.0.0.weight")
        c.inChannels = convIn[1]
        c.outChannels = try shape("out.2.weight")[0]
        let levels = names.levels, depth = names.layersPerBlock
        c.layersPerBlock = Array(repeating: depth, count: levels)
        var channels: [Int] = [], attention: [Bool] = [], transformerDepth: [Int] = []
        var contextWidth: Int?, linearProjection: Bool?
        for level in 0..<levels {
            let block = 1 + level * (depth + 1)
            channels.append(try shape("input_blocks.\(block).0.out_layers.3.weight")[0])
            let hasAttention = weights["input_blocks.\(block).1.proj_in.weight"] != nil
            attention.append(hasAttention)
            guard hasAttention else {
                transformerDepth.append(1)
                continue
            }
            let prefix = "input_blocks.\(block).1.transformer_blocks."
            transformerDepth.append(Set(weights.keys.compactMap { CompVisUNetNames.index(after: prefix, in: $0) }).count)
            contextWidth = try shape("\(prefix)0.attn2.to_k.weight")[1]
            linearProjection = try shape("input_blocks.\(block).1.proj_in.weight").count == 2
        }
        c.blockOutChannels = channels
        c.downBlockTypes = attention.map { $0 ? "CrossAttnDownBlock2D" : "DownBlock2D" }
        c.upBlockTypes = attention.reversed().map { $0 ? "CrossAttnUpBlock2D" : "UpBlock2D" }
        c.transformerLayersPerBlock = transformerDepth
        c.crossAttentionDimensions = try contextWidth ?? shape("middle_block.1.transformer_blocks.0.attn2.to_k.weight")[1]
        c.useLinearProjection = try linearProjection ?? (shape("middle_block.1.proj_in.weight").count == 2)
        c.normGroups = normGroups
        switch family {
        case .sd1:
            c.attentionHeads = Array(repeating: sd1HeadsPerBlock, count: levels)
        case .sd2:
            for (level, width) in channels.enumerated() where width % unetHeadWidthSD2 != 0 {
                throw DiffusionError.invalidInput(
                    "'\(path)': UNet level \(level) has \(width) channels, not a multiple of SD 2.x's attention head width \(unetHeadWidthSD2)")
            }
            c.attentionHeads = channels.map { $0 / unetHeadWidthSD2 }
        }
        for (level, width) in channels.enumerated() where width % normGroups != 0 || width % c.attentionHeads[level] != 0 {
            throw DiffusionError.invalidInput(
                "'\(path)': UNet level \(level) has \(width) channels, not divisible by SD's \(normGroups) groups and \(c.attentionHeads[level]) heads")
        }
        c.sampleSize = pictureSize / 8
        return c
    }

    static func vae(_ weights: [String: MLXArray], path: String) throws -> VAEConfiguration {
        let shape = shapeReader(weights, "VAE tensor", prefix: CompVisCheckpoint.vaePrefix, path: path)
        let levels = Set(weights.keys.compactMap { CompVisUNetNames.index(after: "encoder.down.", in: $0) }).count
        let depth = Set(weights.keys.compactMap { CompVisUNetNames.index(after: "encoder.down.0.block.", in: $0) }).count
        guard levels >= 1, depth >= 1 else {
            throw DiffusionError.invalidInput("'\(path)': no VAE encoder blocks (\(CompVisCheckpoint.vaePrefix)encoder.down.N.block.M.*)")
        }
        var c = VAEConfiguration()
        c.inChannels = try shape("encoder.conv_in.weight")[1]
        c.outChannels = try shape("decoder.conv_out.weight")[0]
        c.blockOutChannels = try (0..<levels).map { try shape("encoder.down.\($0).block.0.conv1.weight")[0] }
        c.layersPerBlock = depth
        c.latentChannels = try shape("decoder.conv_in.weight")[1]
        c.normGroups = normGroups
        for width in c.blockOutChannels where width % normGroups != 0 {
            throw DiffusionError.invalidInput("'\(path)': VAE block with \(width) channels, not divisible by SD's \(normGroups) groups")
        }
        return c
    }

    /// `weights` in transformers' names (after CompVisTextEncoderNames).
    static func textEncoder(_ weights: [String: MLXArray], family: CompVisCheckpoint.Family, path: String) throws -> TextEncoderConfiguration {
        let shape = shapeReader(weights, "text encoder tensor for", prefix: "", path: path)
        var c = TextEncoderConfiguration()
        let embedding = try shape("text_model.embeddings.token_embedding.weight")
        c.vocabularySize = embedding[0]
        c.hiddenSize = embedding[1]
        c.maxPositions = try shape("text_model.embeddings.position_embedding.weight")[0]
        c.intermediateSize = try shape("text_model.encoder.layers.0.mlp.fc1.weight")[0]
        c.layers = Set(weights.keys.compactMap { CompVisUNetNames.index(after: "text_model.encoder.layers.", in: $0) }).count
        guard c.hiddenSize % textHeadWidth == 0 else {
            throw DiffusionError.invalidInput(
                "'\(path)': text encoder width \(c.hiddenSize) is not a multiple of CLIP's head width \(textHeadWidth)")
        }
        c.heads = c.hiddenSize / textHeadWidth
        c.activation = family == .sd1 ? .quickGelu : .gelu
        return c
    }
}
