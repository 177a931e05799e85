import Foundation

/// transformers' CLIPTextConfig fields Stable Diffusion uses (defaults are transformers').
public struct TextEncoderConfiguration {
    public enum Activation: String { case quickGelu = "quick_gelu", gelu }

    public var vocabularySize = 49408
    public var hiddenSize = 512
    public var intermediateSize = 2048
    public var layers = 12
    public var heads = 8
    public var maxPositions = 77
    public var activation = Activation.quickGelu
    public var layerNormEps: Float = 1e-5

    public init() {}

    public init(config c: JSONConfig) throws {
        vocabularySize = try c.int("vocab_size", default: vocabularySize, in: ConfigBounds.vocabulary)
        hiddenSize = try c.int("hidden_size", default: hiddenSize, in: ConfigBounds.textWidth)
        intermediateSize = try c.int("intermediate_size", default: intermediateSize, in: ConfigBounds.textWidth)
        layers = try c.int("num_hidden_layers", default: layers, in: ConfigBounds.textLayers)
        heads = try c.int("num_attention_heads", default: heads, in: ConfigBounds.heads)
        maxPositions = try c.int("max_position_embeddings", default: maxPositions, in: ConfigBounds.textPositions)
        layerNormEps = Float(try c.double("layer_norm_eps", default: 1e-5))
        let act = try c.string("hidden_act", default: "quick_gelu")
        guard let parsed = Activation(rawValue: act) else {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "hidden_act", value: act, supported: "quick_gelu, gelu")
        }
        activation = parsed
        guard layerNormEps.isFinite, layerNormEps > 0 else {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "layer_norm_eps", value: "\(layerNormEps)", supported: "a positive number")
        }
        guard hiddenSize % heads == 0 else {
            throw DiffusionError.unsupportedConfigValue(path: c.path, key: "num_attention_heads", value: "\(heads)",
                                                        supported: "a divisor of hidden_size = \(hiddenSize)")
        }
        c.warnAboutUnknownKeys([
            "vocab_size", "hidden_size", "intermediate_size", "projection_dim", "num_hidden_layers", "num_attention_heads",
            "max_position_embeddings", "hidden_act", "layer_norm_eps", "attention_dropout", "dropout", "initializer_range",
            "initializer_factor", "pad_token_id", "bos_token_id", "eos_token_id", "architectures", "torch_dtype",
            "transformers_version", "model_type", "dtype", "output_attentions", "output_hidden_states", "return_dict",
        ])
    }
}
