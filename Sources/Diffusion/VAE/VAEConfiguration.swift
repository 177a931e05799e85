import Foundation

/// diffusers' AutoencoderKL config as Stable Diffusion uses it (defaults are diffusers').
public struct VAEConfiguration {
    public var inChannels = 3
    public var outChannels = 3
    public var blockOutChannels = [64]
    public var layersPerBlock = 1
    public var latentChannels = 4
    public var normGroups = 32
    public var scalingFactor: Float = 0.18215
    public var useQuantConv = true
    public var usePostQuantConv = true
    public var midBlockAddAttention = true

    public init() {}

    public init(config c: JSONConfig) throws {
        inChannels = try c.int("in_channels", default: inChannels, in: ConfigBounds.ioChannels)
        outChannels = try c.int("out_channels", default: outChannels, in: ConfigBounds.ioChannels)
        blockOutChannels = try c.ints("block_out_channels", default: blockOutChannels, count: ConfigBounds.blocks, in: ConfigBounds.channels)
        layersPerBlock = try c.int("layers_per_block", default: layersPerBlock, in: ConfigBounds.layersPerBlock)
        latentChannels = try c.int("latent_channels", default: latentChannels, in: ConfigBounds.ioChannels)
        normGroups = try c.int("norm_num_groups", default: normGroups, in: ConfigBounds.groups)
        scalingFactor = Float(try c.double("scaling_factor", default: 0.18215))
        useQuantConv = try c.bool("use_quant_conv", default: true)
        usePostQuantConv = try c.bool("use_post_quant_conv", default: true)
        midBlockAddAttention = try c.bool("mid_block_add_attention", default: true)
        let blocks = blockOutChannels.count
        for type in try c.strings("down_block_types", default: Array(repeating: "DownEncoderBlock2D", count: blocks))
        where type != "DownEncoderBlock2D" {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "down_block_types", value: type, supported: "DownEncoderBlock2D")
        }
        for type in try c.strings("up_block_types", default: Array(repeating: "UpDecoderBlock2D", count: blocks))
        where type != "UpDecoderBlock2D" {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "up_block_types", value: type, supported: "UpDecoderBlock2D")
        }
        try c.require("act_fn", in: [nil, "silu"])
        try c.require("shift_factor", in: [nil])
        try c.require("latents_mean", in: [nil])
        try c.require("latents_std", in: [nil])
        guard scalingFactor.isFinite, scalingFactor > 0 else {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "scaling_factor", value: "\(scalingFactor)", supported: "a positive number")
        }
        for channels in blockOutChannels where channels % normGroups != 0 {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "norm_num_groups", value: "\(normGroups)",
                                                        supported: "a divisor of every block_out_channels entry")
        }
        c.warnAboutUnknownKeys([
            "in_channels", "out_channels", "down_block_types", "up_block_types", "block_out_channels",
            "layers_per_block", "act_fn", "latent_channels", "norm_num_groups", "sample_size", "scaling_factor",
            "shift_factor", "latents_mean", "latents_std", "force_upcast", "use_quant_conv", "use_post_quant_conv",
            "mid_block_add_attention",
        ])
    }

    /// Spatial downsampling factor between image and latent (8 for SD, 2^(blocks − 1)).
    public var downsamplingFactor: Int { 1 << (blockOutChannels.count - 1) }
}
