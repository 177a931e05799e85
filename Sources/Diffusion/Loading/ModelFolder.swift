import Foundation
import MLXCore
import NN

/// A diffusers pipeline folder: model_index.json and one subfolder per component
/// (unet/, vae/, text_encoder/, tokenizer/, scheduler/), weights as safetensors or as `torch.save`
/// pickles (`diffusion_pytorch_model.bin`, `pytorch_model.bin`: what many published SD 1.x folders hold).
public struct ModelFolder: StableDiffusionSource {
    public let url: URL
    /// Weight file variant, e.g. "fp16" for `diffusion_pytorch_model.fp16.safetensors`.
    public let variant: String?
    /// Replaces the scheduler config's prediction_type when set.
    public var predictionType: String?

    public init(path: String, variant: String? = nil) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DiffusionError.missingFile(path: path, what: "model folder")
        }
        url = URL(fileURLWithPath: path).standardizedFileURL
        self.variant = variant
    }

    public var path: String { url.path }

    /// The folder of one component, which must exist.
    public func component(_ name: String) throws -> URL {
        let folder = url.appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DiffusionError.missingFile(path: folder.path, what: "\(name) component folder")
        }
        return folder
    }

    public func config(_ component: String, file: String = "config.json") throws -> JSONConfig {
        try JSONConfig(path: self.component(component).appendingPathComponent(file).path)
    }

    /// The component's weights file: the requested variant first, then the plain file; safetensors
    /// before pickles (diffusers' own preference).
    public func weightsFile(_ component: String) throws -> String {
        let folder = try self.component(component)
        let stems = ["diffusion_pytorch_model", "model", "pytorch_model"]
        var candidates: [String] = []
        for fileExtension in ["safetensors", "bin"] {
            let named = stems.filter { fileExtension == "bin" || $0 != "pytorch_model" }
            if let variant { candidates += named.map { "\($0).\(variant).\(fileExtension)" } }
            candidates += named.map { "\($0).\(fileExtension)" }
        }
        for name in candidates {
            let path = folder.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw DiffusionError.missingFile(path: folder.path, what: "weights (\(candidates.joined(separator: " or "))) in")
    }

    /// Builds a module, casts it to `dtype` and loads the component's weights into it (strict).
    func load<M: Module>(
        _ component: String, dtype: DType, ignoring ignoredKeys: Set<String> = [],
        layout: ([String: MLXArray]) -> [String: MLXArray] = { $0 }, build: () throws -> M
    ) throws -> M {
        let weightsPath = try weightsFile(component)
        let module = try build()
        try module.cast(to: dtype)
        var weights = layout(try WeightsFile.load(weightsPath))
        for key in ignoredKeys { weights[key] = nil }
        try module.load(weights: weights, source: weightsPath)
        return module
    }

    public func makeTokenizer() throws -> CLIPTokenizer {
        try CLIPTokenizer(directory: try component("tokenizer"))
    }

    public func schedulerConfig() throws -> JSONConfig {
        PredictionTypeOverride.apply(predictionType, to: try config("scheduler", file: "scheduler_config.json"))
    }

    public func loadUNet(dtype: DType = .float32) throws -> UNet2DConditionModel {
        let configuration = try UNetConfiguration(config: config("unet"))
        return try load("unet", dtype: dtype) { try UNet2DConditionModel(configuration: configuration) }
    }

    public func loadVAE(dtype: DType = .float32) throws -> AutoencoderKL {
        let configuration = try VAEConfiguration(config: config("vae"))
        return try load("vae", dtype: dtype) { try AutoencoderKL(configuration: configuration) }
    }

    public func loadTextEncoder(dtype: DType = .float32) throws -> CLIPTextModel {
        let configuration = try TextEncoderConfiguration(config: config("text_encoder"))
        // Older transformers checkpoints carry the position-id buffer, which is not a weight.
        return try load(
            "text_encoder", dtype: dtype, ignoring: ["text_model.embeddings.position_ids"], layout: TextEncoderWeightLayout.normalised
        ) {
            try CLIPTextModel(configuration: configuration)
        }
    }
}
