import ArgumentParser
import Diffusion
import MLXCore

extension Component: ExpressibleByArgument {}
extension DType: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}

struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one Stable Diffusion component on tensors from a safetensors file (PyTorch layout).",
        discussion: """
            COMPONENT     inputs (float32, PyTorch layout)                          outputs
            text-encoder  input_ids [B,L] int32/int64                               last_hidden_state [B,L,D]
            unet          sample [B,C,H,W], timestep [B], encoder_hidden_states [B,L,D]  sample
            vae-encode    image [B,3,H,W] in [-1,1]                                 mean, logvar [B,4,h,w]
            vae-decode    latents [B,4,h,w] (unscaled)                              image [B,3,H,W]
            """)

    @Argument(help: "text-encoder, unet, vae-encode or vae-decode.")
    var component: Component

    @Option(help: "A diffusers model folder (default: the shipped toy model).")
    var model: String?

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
        let folder = try ModelFolder(path: DefaultModel.resolve(model), variant: variant)
        let tensors = try SafetensorsFile.load(inputs).tensors
        let results = try component.run(model: folder, inputs: tensors, dtype: dtype)
        try eval(Array(results.values))
        try SafetensorsFile(tensors: results, metadata: ["component": component.rawValue]).save(outputs)
        for name in results.keys.sorted() {
            print("\(name)\t\(results[name]!.shape)")
        }
    }
}
