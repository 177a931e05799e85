import Foundation
import MLXCore

// The configurations as diffusers/transformers `config.json` dictionaries, so a model built here
// (the toy model) is a diffusers folder that both LatentPrior and diffusers load.

extension UNetConfiguration {
    public var diffusersConfig: [String: Any] {
        [
            "_class_name": "UNet2DConditionModel", "sample_size": sampleSize, "in_channels": inChannels,
            "out_channels": outChannels, "down_block_types": downBlockTypes, "up_block_types": upBlockTypes,
            "mid_block_type": "UNetMidBlock2DCrossAttn", "block_out_channels": blockOutChannels,
            "layers_per_block": layersPerBlock.count > 1 && Set(layersPerBlock).count == 1 ? layersPerBlock[0] : layersPerBlock,
            "transformer_layers_per_block": Set(transformerLayersPerBlock).count == 1 ? transformerLayersPerBlock[0] : transformerLayersPerBlock,
            "attention_head_dim": Set(attentionHeads).count == 1 ? attentionHeads[0] : attentionHeads,
            "cross_attention_dim": crossAttentionDimensions, "norm_num_groups": normGroups, "norm_eps": jsonNumber(normEps),
            "flip_sin_to_cos": flipSinToCos, "freq_shift": jsonNumber(frequencyShift), "use_linear_projection": useLinearProjection,
            "upcast_attention": upcastAttention, "downsample_padding": downsamplePadding, "center_input_sample": centerInputSample,
            "act_fn": "silu",
        ]
    }
}

extension VAEConfiguration {
    public var diffusersConfig: [String: Any] {
        [
            "_class_name": "AutoencoderKL", "in_channels": inChannels, "out_channels": outChannels,
            "down_block_types": Array(repeating: "DownEncoderBlock2D", count: blockOutChannels.count),
            "up_block_types": Array(repeating: "UpDecoderBlock2D", count: blockOutChannels.count),
            "block_out_channels": blockOutChannels, "layers_per_block": layersPerBlock, "latent_channels": latentChannels,
            "norm_num_groups": normGroups, "scaling_factor": jsonNumber(scalingFactor), "act_fn": "silu",
            "sample_size": 8 * (1 << (blockOutChannels.count - 1)),
        ]
    }
}

extension TextEncoderConfiguration {
    public var transformersConfig: [String: Any] {
        [
            "architectures": ["CLIPTextModel"], "model_type": "clip_text_model", "vocab_size": vocabularySize,
            "hidden_size": hiddenSize, "intermediate_size": intermediateSize, "num_hidden_layers": layers,
            "num_attention_heads": heads, "max_position_embeddings": maxPositions, "hidden_act": activation.rawValue,
            "layer_norm_eps": jsonNumber(layerNormEps), "bos_token_id": vocabularySize - 2, "eos_token_id": vocabularySize - 1,
            "pad_token_id": vocabularySize - 1, "projection_dim": hiddenSize,
        ]
    }
}

extension NoiseSchedule {
    /// A DDIM scheduler config with Stable Diffusion's schedule values.
    public static func stableDiffusionConfig(predictionType: String = "epsilon") -> [String: Any] {
        [
            "_class_name": "DDIMScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012,
            "beta_schedule": "scaled_linear", "prediction_type": predictionType, "steps_offset": 1,
            "set_alpha_to_one": false, "clip_sample": false,
        ]
    }
}

/// The model_index.json of a Stable Diffusion folder with a DDIM scheduler and no safety checker.
public func stableDiffusionModelIndex(diffusersVersion: String) -> [String: Any] {
    [
        "_class_name": "StableDiffusionPipeline", "_diffusers_version": diffusersVersion,
        "tokenizer": ["transformers", "CLIPTokenizer"], "text_encoder": ["transformers", "CLIPTextModel"],
        "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
        "scheduler": ["diffusers", "DDIMScheduler"], "safety_checker": [NSNull(), NSNull()],
        "feature_extractor": [NSNull(), NSNull()], "requires_safety_checker": false,
    ]
}

/// A Float as the decimal it was written as (1e-05, not 9.999999747378752e-06): the shortest
/// decimal that reads back as the same Float, so Python reads the value diffusers' own configs hold.
func jsonNumber(_ value: Float) -> Double {
    Double("\(value)") ?? Double(value)
}

/// Writes a JSON object with sorted keys (stable diffs for committed model folders).
public func writeJSONObject(_ object: [String: Any], to url: URL) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try writeAtomically(data, to: url.path)
}
