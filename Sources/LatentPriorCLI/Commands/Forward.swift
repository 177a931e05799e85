import ArgumentParser
import Diffusion
import MLXCore
import StyleGANAdaptation

/// What `forward` runs: a Stable Diffusion component, or a StyleGAN2 generator.
enum ForwardComponent: ExpressibleByArgument {
    case diffusion(Component)
    case stylegan

    init?(argument: String) {
        if argument == "stylegan" { self = .stylegan; return }
        guard let component = Component(rawValue: argument) else { return nil }
        self = .diffusion(component)
    }

    static var allValueStrings: [String] { Component.allCases.map(\.rawValue) + ["stylegan"] }
}
extension DType: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    /// Names, not the raw codes ArgumentParser would list for an Int-backed enum ("0…13").
    public static var allValueStrings: [String] { ["float32", "float16", "bfloat16"] }
    public var defaultValueDescription: String { description }
}

struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one Stable Diffusion component, or a StyleGAN2 generator, on tensors from a safetensors file (PyTorch layout).",
        discussion: """
            COMPONENT     inputs (float32, PyTorch layout)                          outputs
            text-encoder  input_ids [B,L] int32/int64                               last_hidden_state [B,L,D]
            unet          sample [B,C,H,W], timestep [B], encoder_hidden_states [B,L,D]  sample
            vae-encode    image [B,3,H,W] in [-1,1]                                 mean, logvar [B,4,h,w]
            vae-decode    latents [B,4,h,w] (unscaled)                              image [B,3,H,W]
            stylegan      z [B,S] or w [B,n_latent,S] (W+, mapping skipped),         image [B,3,H,W] (unclamped)
                          optional truncation [1] (ψ, with the checkpoint's latent_avg);
                          noise = the checkpoint's noises.noise_i (--checkpoint, not --model)
            """)

    @Argument(help: "text-encoder, unet, vae-encode, vae-decode or stylegan.")
    var component: ForwardComponent

    @Option(help: "stylegan: the generator (rosinality-format .pt or .safetensors).")
    var checkpoint: String?

    @OptionGroup var modelOption: ModelOption

    @Option(help: "A safetensors file with the component's input tensors.")
    var inputs: String

    @Option(help: "Where to write the output tensors (safetensors, written atomically).")
    var outputs: String

    @Option(help: "Compute dtype: float32, float16 or bfloat16.")
    var dtype: DType = .float32

    @Option(help: "Weight file variant, e.g. fp16 for diffusion_pytorch_model.fp16.safetensors.")
    var variant: String?

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        let results: [String: MLXArray]
        let name: String
        switch component {
        case .diffusion(let component):
            let folder = try modelOption.open(variant: variant)
            results = try component.run(model: folder, inputs: try SafetensorsFile.load(inputs).tensors, dtype: dtype, source: inputs)
            name = component.rawValue
        case .stylegan:
            guard let checkpoint else { throw InputError("forward stylegan needs --checkpoint FILE (a StyleGAN2 generator)") }
            let generator = try GeneratorFile.load(checkpoint)
            results = try StyleGANForward.run(generator, inputs: try SafetensorsFile.load(inputs).tensors, source: inputs)
            name = "stylegan"
        }
        try eval(Array(results.values))
        try SafetensorsFile(tensors: results, metadata: ["component": name]).save(outputs)
        for name in results.keys.sorted() {
            print("\(name)\t\(results[name]!.shape)")
        }
    }
}
