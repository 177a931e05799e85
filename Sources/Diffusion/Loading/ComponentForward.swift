import Foundation
import MLXCore

/// One forward pass of a component on tensors in PyTorch layout (NCHW), as `latent-prior forward`
/// runs it for parity checks against diffusers/transformers (SPEC §3).
public enum Component: String, CaseIterable, Sendable {
    case textEncoder = "text-encoder"
    case unet
    case vaeEncode = "vae-encode"
    case vaeDecode = "vae-decode"

    /// Input tensor names and their ranks, as the SPEC's table gives them.
    public var inputs: [(name: String, rank: Int)] {
        switch self {
        case .textEncoder: return [("input_ids", 2)]
        case .unet: return [("sample", 4), ("timestep", 1), ("encoder_hidden_states", 3)]
        case .vaeEncode: return [("image", 4)]
        case .vaeDecode: return [("latents", 4)]
        }
    }

    /// `source`: where the inputs came from, for messages.
    public func run(model: any StableDiffusionSource, inputs: [String: MLXArray], dtype: DType = .float32,
                    source: String = "the inputs") throws -> [String: MLXArray] {
        for (name, rank) in self.inputs {
            guard let tensor = inputs[name] else {
                throw DiffusionError.invalidInput("'\(source)': \(rawValue) needs an input tensor '\(name)' (found: \(JSONConfig.summary(inputs.keys.sorted().joined(separator: ", "))))")
            }
            guard tensor.ndim == rank else {
                throw DiffusionError.invalidInput("'\(source)': input '\(name)' must have rank \(rank), got shape \(tensor.shape)")
            }
        }
        func float(_ name: String) throws -> MLXArray { try inputs[name]!.asType(dtype) }
        let toChannelsLast = [0, 2, 3, 1], toChannelsFirst = [0, 3, 1, 2]
        switch self {
        case .textEncoder:
            let encoder = try model.loadTextEncoder(dtype: dtype)
            try ComponentInputLimits.textEncoder(encoder, ids: inputs["input_ids"]!, source: source)
            return ["last_hidden_state": try encoder(inputs["input_ids"]!).asType(.float32)]
        case .unet:
            let unet = try model.loadUNet(dtype: dtype)
            try ComponentInputLimits.unet(unet, sample: inputs["sample"]!, timestep: inputs["timestep"]!,
                                          context: inputs["encoder_hidden_states"]!, source: source)
            let output = try unet(float("sample").transposed(toChannelsLast), timesteps: inputs["timestep"]!,
                                  context: float("encoder_hidden_states"))
            return ["sample": try output.transposed(toChannelsFirst).asType(.float32)]
        case .vaeEncode:
            let vae = try model.loadVAE(dtype: dtype)
            try ComponentInputLimits.vaeEncode(vae, image: inputs["image"]!, source: source)
            let (mean, logVariance) = try vae.encode(float("image").transposed(toChannelsLast))
            return ["mean": try mean.transposed(toChannelsFirst).asType(.float32),
                    "logvar": try logVariance.transposed(toChannelsFirst).asType(.float32)]
        case .vaeDecode:
            let vae = try model.loadVAE(dtype: dtype)
            try ComponentInputLimits.vaeDecode(vae, latents: inputs["latents"]!, source: source)
            let image = try vae.decode(float("latents").transposed(toChannelsLast))
            return ["image": try image.transposed(toChannelsFirst).asType(.float32)]
        }
    }
}
