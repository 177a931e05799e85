import ArgumentParser
import Diffusion
import MLXCore
import Prior

struct PriorGrad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prior-grad",
        abstract: "Evaluate the prior deterministically on given latents, noise and timesteps (PyTorch layout in and out).",
        discussion: """
            Inputs: latents [B,4,h,w] (scaled), noise [B,4,h,w], timestep [B] int, cond [B,L,D], uncond [B,L,D].
            Outputs: grad_lsd = w(t)(eps_hat - eps), grad_fm = dL_FM/dv, grad_kl = dL_KL/dv (each [B,4,h,w],
            unweighted by lambda), loss_fm, loss_kl (scalars).
            """)

    @OptionGroup var modelOption: ModelOption

    @Option(help: "A safetensors file with latents, noise, timestep, cond, uncond.")
    var inputs: String

    @Option(help: "Where to write the gradients and losses (safetensors).")
    var outputs: String

    @OptionGroup var prior: PriorOptions

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        let tensors = try SafetensorsFile.load(inputs).tensors
        for name in ["latents", "noise", "timestep", "cond", "uncond"] where tensors[name] == nil {
            throw ValidationError("'\(inputs)' has no tensor '\(name)' (needs latents, noise, timestep, cond, uncond)")
        }
        for name in ["latents", "noise"] where tensors[name]!.ndim != 4 {
            throw ValidationError("'\(name)' must be [B,4,h,w], got \(tensors[name]!.shape)")
        }
        var configuration = prior.configuration
        // Every term is computed so that all three gradients can be compared; λ only weights the total.
        configuration.lambdaFM = max(configuration.lambdaFM, 1e-12)
        configuration.lambdaKL = max(configuration.lambdaKL, 1e-12)
        let folder = try modelOption.open()
        let schedule = try NoiseSchedule(config: folder.schedulerConfig())
        let evaluator = try LatentDiffusionPrior(unet: try folder.loadUNet(), vae: try folder.loadVAE(), schedule: schedule,
                                                 configuration: configuration)
        let channelsLast = [0, 2, 3, 1], channelsFirst = [0, 3, 1, 2]
        let timesteps = try tensors["timestep"]!.toArray(Int64.self).map(Int.init)
        let evaluation = try evaluator.evaluate(
            latents: tensors["latents"]!.transposed(channelsLast), conditioning: TextConditioning(conditional: tensors["cond"]!, unconditional: tensors["uncond"]!),
            noise: tensors["noise"]!.transposed(channelsLast), timesteps: timesteps)
        let results: [String: MLXArray] = [
            "grad_lsd": try evaluation.lsdGradient.transposed(channelsFirst),
            "grad_fm": try evaluation.fmGradient!.transposed(channelsFirst),
            "grad_kl": try evaluation.klGradient!.transposed(channelsFirst),
            "loss_fm": evaluation.fmLoss!,
            "loss_kl": evaluation.klLoss!,
        ]
        try eval(Array(results.values))
        try SafetensorsFile(tensors: results).save(outputs)
        print("loss_fm \(try evaluation.fmLoss!.item(Float.self))  loss_kl \(try evaluation.klLoss!.item(Float.self))  t \(timesteps)")
    }
}
