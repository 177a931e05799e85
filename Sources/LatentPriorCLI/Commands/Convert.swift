import ArgumentParser
import Diffusion
import Foundation

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a single SD 1.x/2.x checkpoint (.safetensors or .ckpt, CompVis layout) as a diffusers folder.",
        discussion: """
            The folder holds safetensors weights, config.json files, CLIP's tokenizer (SD 2.x padding for OpenCLIP \
            files) and Stable Diffusion's DDIM scheduler; diffusers' from_pretrained loads it. The architecture is read \
            from the tensors' shapes. The folder is assembled beside OUTPUT and renamed into place.
            """)

    @Option(help: "The single checkpoint file.")
    var checkpoint: String

    @Option(help: "The diffusers folder to create (must not exist).")
    var output: String

    @Flag(help: "Store the weights as float16.")
    var half = false

    @Option(help: "The scheduler's prediction type: epsilon (default), v_prediction (SD 2.x 768 models) or sample.")
    var predictionType: String?

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw InputError("--checkpoint '\(checkpoint)': no such file (a single .safetensors or .ckpt checkpoint)")
        }
        guard let model = try ModelOption.open(checkpoint, predictionType: predictionType) as? SingleFileModel else {
            throw InputError("--checkpoint '\(checkpoint)' is not a single checkpoint file")
        }
        try model.writeDiffusersFolder(to: output, half: half)
        let unet = model.unetConfiguration
        print("\(model.family): UNet \(unet.blockOutChannels) × \(unet.layersPerBlock[0]), text encoder \(model.textEncoderConfiguration.layers) layers → \(output)")
    }
}
