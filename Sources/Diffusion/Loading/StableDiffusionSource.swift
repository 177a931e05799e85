import Foundation
import MLXCore

/// Where a Stable Diffusion model comes from: a diffusers folder or a single checkpoint file
/// (CompVis layout). Everything that takes `--model` loads through this.
public protocol StableDiffusionSource {
    /// The folder or file, for messages and run configurations.
    var path: String { get }
    func makeTokenizer() throws -> CLIPTokenizer
    func schedulerConfig() throws -> JSONConfig
    func loadUNet(dtype: DType) throws -> UNet2DConditionModel
    func loadVAE(dtype: DType) throws -> AutoencoderKL
    func loadTextEncoder(dtype: DType) throws -> CLIPTextModel
}

public enum StableDiffusionModel {
    /// Opens `path`: a folder is a diffusers folder (`variant` picks e.g. fp16 weights), a file is a
    /// single CompVis checkpoint (`.safetensors`, `.ckpt`) whose tokenizer comes from
    /// `tokenizerFolder` (CLIP's vocabulary and merges; the file does not hold them).
    /// `predictionType` replaces the scheduler's (SD 2.x 768 files are v-prediction and do not say so).
    public static func open(_ path: String, variant: String? = nil, predictionType: String? = nil,
                            tokenizerFolder: URL? = nil) throws -> any StableDiffusionSource {
        if let predictionType, !PredictionTypeOverride.allowed.contains(predictionType) {
            throw DiffusionError.invalidInput(
                "--prediction-type '\(predictionType)' is not one of \(PredictionTypeOverride.allowed.joined(separator: ", "))")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiffusionError.missingFile(path: path, what: "model (a diffusers folder or a single checkpoint file)")
        }
        if isDirectory.boolValue {
            var folder = try ModelFolder(path: path, variant: variant)
            folder.predictionType = predictionType
            return folder
        }
        guard let tokenizerFolder else {
            throw DiffusionError.invalidInput("'\(path)' is a single checkpoint file: it needs CLIP's tokenizer files, which were not given")
        }
        return try SingleFileModel(path: path, tokenizerFolder: tokenizerFolder, predictionType: predictionType)
    }
}

/// `--prediction-type`: what the UNet predicts, as diffusers' schedulers name it.
enum PredictionTypeOverride {
    static let allowed = ["epsilon", "v_prediction", "sample"]

    static func apply(_ predictionType: String?, to config: JSONConfig) -> JSONConfig {
        guard let predictionType else { return config }
        var values = config.values
        values["prediction_type"] = predictionType
        return JSONConfig(path: config.path, values: values)
    }
}

extension StableDiffusionSource {
    public func loadUNet() throws -> UNet2DConditionModel { try loadUNet(dtype: .float32) }
    public func loadVAE() throws -> AutoencoderKL { try loadVAE(dtype: .float32) }
    public func loadTextEncoder() throws -> CLIPTextModel { try loadTextEncoder(dtype: .float32) }
}
