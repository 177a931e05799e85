import Foundation

/// The subset of diffusers' UNet2DConditionModel config that Stable Diffusion 1.x/2.x use.
/// Defaults are diffusers' own; configs that ask for something else fail with the key and value.
public struct UNetConfiguration {
    public var inChannels = 4
    public var outChannels = 4
    public var downBlockTypes = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]
    public var upBlockTypes = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]
    public var blockOutChannels = [320, 640, 1280, 1280]
    public var layersPerBlock = [2, 2, 2, 2]
    public var transformerLayersPerBlock = [1, 1, 1, 1]
    /// Attention heads per block (diffusers' `attention_head_dim` means heads when `num_attention_heads` is absent).
    public var attentionHeads = [8, 8, 8, 8]
    public var crossAttentionDimensions = 768
    public var normGroups = 32
    public var normEps: Float = 1e-5
    public var flipSinToCos = true
    public var frequencyShift: Float = 0
    public var useLinearProjection = false
    public var upcastAttention = false
    public var downsamplePadding = 1
    public var centerInputSample = false
    public var sampleSize = 64

    public init() {}

    static let downTypes = ["CrossAttnDownBlock2D", "DownBlock2D"]
    static let upTypes = ["CrossAttnUpBlock2D", "UpBlock2D"]

    public init(config: JSONConfig) throws {
        let c = config
        inChannels = try c.int("in_channels", default: inChannels, in: ConfigBounds.ioChannels)
        outChannels = try c.int("out_channels", default: outChannels, in: ConfigBounds.ioChannels)
        downBlockTypes = try c.strings("down_block_types", default: downBlockTypes)
        upBlockTypes = try c.strings("up_block_types", default: upBlockTypes)
        blockOutChannels = try c.ints("block_out_channels", default: blockOutChannels, count: ConfigBounds.blocks, in: ConfigBounds.channels)
        let blocks = blockOutChannels.count
        guard downBlockTypes.count == blocks, upBlockTypes.count == blocks else {
            throw DiffusionError.unsupportedConfigValue(
                path: c.path, key: "down_block_types/up_block_types", value: "\(downBlockTypes.count)/\(upBlockTypes.count) blocks",
                supported: "one per block_out_channels entry (\(blocks))")
        }
        for type in downBlockTypes where !Self.downTypes.contains(type) {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "down_block_types", value: type, supported: Self.downTypes.joined(separator: ", "))
        }
        for type in upBlockTypes where !Self.upTypes.contains(type) {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "up_block_types", value: type, supported: Self.upTypes.joined(separator: ", "))
        }
        layersPerBlock = try c.intPerBlock("layers_per_block", blocks: blocks, default: 2, in: ConfigBounds.layersPerBlock)!
        transformerLayersPerBlock = try c.intPerBlock("transformer_layers_per_block", blocks: blocks, default: 1, in: ConfigBounds.transformerLayers)!
        // diffusers: num_attention_heads = num_attention_heads or attention_head_dim (a historical misnomer).
        attentionHeads = try c.intPerBlock("num_attention_heads", blocks: blocks, default: nil, in: ConfigBounds.heads)
            ?? c.intPerBlock("attention_head_dim", blocks: blocks, default: 8, in: ConfigBounds.heads)!
        crossAttentionDimensions = try c.int("cross_attention_dim", default: 1280, in: ConfigBounds.channels)
        normGroups = try c.int("norm_num_groups", default: 32, in: ConfigBounds.groups)
        normEps = Float(try c.double("norm_eps", default: 1e-5))
        flipSinToCos = try c.bool("flip_sin_to_cos", default: true)
        frequencyShift = Float(try c.double("freq_shift", default: 0))
        useLinearProjection = try c.bool("use_linear_projection", default: false)
        upcastAttention = try c.bool("upcast_attention", default: false)
        downsamplePadding = try c.int("downsample_padding", default: 1, in: ConfigBounds.downsamplePadding)
        centerInputSample = try c.bool("center_input_sample", default: false)
        sampleSize = try c.int("sample_size", default: 64, in: ConfigBounds.latentSampleSize)

        try c.require("mid_block_type", in: [nil, "UNetMidBlock2DCrossAttn"])
        try c.require("act_fn", in: [nil, "silu"])
        try c.require("class_embed_type", in: [nil])
        try c.require("addition_embed_type", in: [nil])
        try c.require("time_embedding_type", in: [nil, "positional"])
        try c.require("resnet_time_scale_shift", in: [nil, "default"])
        try c.require("encoder_hid_dim", in: [nil])
        try c.require("time_cond_proj_dim", in: [nil])
        try c.require("num_class_embeds", in: [nil])
        try c.require("conv_in_kernel", in: [nil, "3"])
        try c.require("conv_out_kernel", in: [nil, "3"])
        try c.require("only_cross_attention", in: [nil, "false"])
        try c.require("dual_cross_attention", in: [nil, "false"])
        try c.require("attention_type", in: [nil, "default"])
        try c.require("mid_block_only_cross_attention", in: [nil])
        try c.require("timestep_post_act", in: [nil])
        try c.require("mid_block_scale_factor", in: [nil, "1"])
        for channels in blockOutChannels where channels % normGroups != 0 {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "norm_num_groups", value: "\(normGroups)",
                                                        supported: "a divisor of every block_out_channels entry")
        }
        guard normEps.isFinite, normEps > 0 else {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "norm_eps", value: "\(normEps)", supported: "a positive number")
        }
        for (index, heads) in attentionHeads.enumerated() where blockOutChannels[index] % heads != 0 {
            throw DiffusionError.unsupportedConfigValue(
                path: c.path, key: "attention_head_dim", value: "\(heads)",
                supported: "a divisor of block_out_channels[\(index)] = \(blockOutChannels[index])")
        }
        c.warnAboutUnknownKeys([
            "sample_size", "in_channels", "out_channels", "center_input_sample", "flip_sin_to_cos", "freq_shift",
            "down_block_types", "mid_block_type", "up_block_types", "only_cross_attention", "block_out_channels",
            "layers_per_block", "downsample_padding", "mid_block_scale_factor", "dropout", "act_fn", "norm_num_groups",
            "norm_eps", "cross_attention_dim", "transformer_layers_per_block", "reverse_transformer_layers_per_block",
            "encoder_hid_dim", "encoder_hid_dim_type", "attention_head_dim", "num_attention_heads", "dual_cross_attention",
            "use_linear_projection", "class_embed_type", "addition_embed_type", "addition_time_embed_dim",
            "num_class_embeds", "upcast_attention", "resnet_time_scale_shift", "resnet_skip_time_act",
            "resnet_out_scale_factor", "time_embedding_type", "time_embedding_dim", "time_embedding_act_fn",
            "timestep_post_act", "time_cond_proj_dim", "conv_in_kernel", "conv_out_kernel",
            "projection_class_embeddings_input_dim", "attention_type", "class_embeddings_concat",
            "mid_block_only_cross_attention", "cross_attention_norm", "addition_embed_type_num_heads",
        ])
    }
}
