import ArgumentParser
import Diffusion
import Foundation

/// `--model` and `--prediction-type`, shared by every command that loads Stable Diffusion.
struct ModelOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A diffusers model folder (safetensors or .bin weights) or a single SD 1.x/2.x checkpoint (.safetensors, .ckpt); default: the shipped toy model.",
        valueName: "folder-or-file"))
    var model: String?

    @Option(help: ArgumentHelp(
        "Replace the scheduler's prediction type: epsilon, v_prediction or sample (SD 2.x 768 single files are v_prediction).",
        valueName: "type"))
    var predictionType: String?

    /// The model path, the shipped toy model when none was given.
    var path: String { DefaultModel.resolve(model) }

    func open(variant: String? = nil) throws -> any StableDiffusionSource {
        try Self.open(path, variant: variant, predictionType: predictionType)
    }

    static func open(_ path: String, variant: String? = nil, predictionType: String? = nil) throws -> any StableDiffusionSource {
        try StableDiffusionModel.open(path, variant: variant, predictionType: predictionType,
                                      tokenizerFolder: URL(fileURLWithPath: DefaultModel.clipTokenizer))
    }
}
