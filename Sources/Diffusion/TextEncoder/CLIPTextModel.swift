import MLXCore
import NN

final class CLIPAttention: Module {
    let qProj: Linear
    let kProj: Linear
    let vProj: Linear
    let outProj: Linear
    let heads: Int

    init(dimensions: Int, heads: Int) throws {
        qProj = try Linear(dimensions, dimensions)
        kProj = try Linear(dimensions, dimensions)
        vProj = try Linear(dimensions, dimensions)
        outProj = try Linear(dimensions, dimensions)
        self.heads = heads
    }

    /// Causal self-attention: token i attends to tokens 0…i.
    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let headWidth = x.dim(2) / heads
        return try outProj(multiHeadAttention(queries: qProj(x), keys: kProj(x), values: vProj(x), heads: heads,
                                              scale: 1 / Float(headWidth).squareRoot(), causal: true))
    }
}

final class CLIPMLP: Module {
    let fc1: Linear
    let fc2: Linear
    let activation: TextEncoderConfiguration.Activation

    init(dimensions: Int, hidden: Int, activation: TextEncoderConfiguration.Activation) throws {
        fc1 = try Linear(dimensions, hidden)
        fc2 = try Linear(hidden, dimensions)
        self.activation = activation
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let h = try fc1(x)
        return try fc2(activation == .quickGelu ? quickGelu(h) : gelu(h))
    }
}

/// A pre-LayerNorm transformer layer with causal self-attention.
final class CLIPEncoderLayer: Module {
    let selfAttn: CLIPAttention
    let layerNorm1: LayerNorm
    let mlp: CLIPMLP
    let layerNorm2: LayerNorm

    init(configuration c: TextEncoderConfiguration) throws {
        selfAttn = try CLIPAttention(dimensions: c.hiddenSize, heads: c.heads)
        layerNorm1 = try LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        mlp = try CLIPMLP(dimensions: c.hiddenSize, hidden: c.intermediateSize, activation: c.activation)
        layerNorm2 = try LayerNorm(c.hiddenSize, eps: c.layerNormEps)
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let h = try x + selfAttn(layerNorm1(x))
        return try h + mlp(layerNorm2(h))
    }
}

final class CLIPEmbeddings: Module {
    let tokenEmbedding: Embedding
    let positionEmbedding: Embedding

    init(configuration c: TextEncoderConfiguration) throws {
        tokenEmbedding = try Embedding(count: c.vocabularySize, dimensions: c.hiddenSize)
        positionEmbedding = try Embedding(count: c.maxPositions, dimensions: c.hiddenSize)
    }
}

final class CLIPEncoder: Module {
    let layers: [CLIPEncoderLayer]

    init(configuration c: TextEncoderConfiguration) throws {
        layers = try (0..<c.layers).map { _ in try CLIPEncoderLayer(configuration: c) }
    }
}

final class CLIPTextTransformer: Module {
    let embeddings: CLIPEmbeddings
    let encoder: CLIPEncoder
    let finalLayerNorm: LayerNorm

    init(configuration c: TextEncoderConfiguration) throws {
        embeddings = try CLIPEmbeddings(configuration: c)
        encoder = try CLIPEncoder(configuration: c)
        finalLayerNorm = try LayerNorm(c.hiddenSize, eps: c.layerNormEps)
    }
}

/// transformers' CLIPTextModel: token ids [N, L] → last_hidden_state [N, L, D] (causal attention,
/// final layer norm). `skipLastLayers` > 0 returns an earlier layer's output through the final
/// layer norm (diffusers' clip_skip; SD 2.x-era tools use the penultimate layer).
public final class CLIPTextModel: Module {
    public let configuration: TextEncoderConfiguration
    let textModel: CLIPTextTransformer

    public init(configuration c: TextEncoderConfiguration) throws {
        configuration = c
        textModel = try CLIPTextTransformer(configuration: c)
    }

    public func callAsFunction(_ ids: MLXArray, skipLastLayers: Int = 0) throws -> MLXArray {
        guard ids.ndim == 2, ids.dim(1) <= configuration.maxPositions else {
            throw DiffusionError.invalidInput("text encoder input_ids must be [N, L ≤ \(configuration.maxPositions)], got \(ids.shape)")
        }
        guard (0..<configuration.layers).contains(skipLastLayers) else {
            throw DiffusionError.invalidInput("cannot skip \(skipLastLayers) of \(configuration.layers) text encoder layers")
        }
        let idRange = try [ids.min().item(Int64.self), ids.max().item(Int64.self)]
        guard idRange[0] >= 0, idRange[1] < configuration.vocabularySize else {
            throw DiffusionError.invalidInput(
                "token ids must lie in [0, \(configuration.vocabularySize)), got values from \(idRange[0]) to \(idRange[1])")
        }
        let length = ids.dim(1)
        let embeddings = textModel.embeddings
        let positions = try arange(length)
        var h = try embeddings.tokenEmbedding(ids.asType(.int32)) + embeddings.positionEmbedding(positions)
        for layer in textModel.encoder.layers.dropLast(skipLastLayers) {
            h = try layer(h)
        }
        return try textModel.finalLayerNorm(h)
    }
}
