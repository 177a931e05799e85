import Foundation
import MLXCore
import NN

/// A Stable Diffusion 1.x/2.x model in one CompVis checkpoint file: the tensors renamed to
/// diffusers' names, each component's configuration read from their shapes, the tokenizer from
/// CLIP's files (SD 2.x pads with "!", as its tokenizer folder says), the scheduler SD's default.
public struct SingleFileModel: StableDiffusionSource {
    public let path: String
    public let family: String
    public let unetConfiguration: UNetConfiguration
    public let vaeConfiguration: VAEConfiguration
    public let textEncoderConfiguration: TextEncoderConfiguration
    /// Each component's tensors under diffusers/transformers names.
    public let unetWeights: [String: MLXArray]
    public let vaeWeights: [String: MLXArray]
    public let textEncoderWeights: [String: MLXArray]
    let tokenizerFolder: URL
    let isSD2: Bool
    let predictionType: String

    public init(path: String, tokenizerFolder: URL, predictionType: String? = nil) throws {
        let checkpoint = try CompVisCheckpoint(path: path)
        self.path = path
        self.tokenizerFolder = tokenizerFolder
        family = checkpoint.family.rawValue
        isSD2 = checkpoint.family == .sd2
        self.predictionType = predictionType ?? "epsilon"
        let pictureSize = isSD2 && self.predictionType == "v_prediction" ? 768 : 512

        let names = try CompVisUNetNames(checkpoint.unet.keys, path: path)
        unetWeights = try Self.renamed(checkpoint.unet, prefix: CompVisCheckpoint.unetPrefix, path: path) { names.diffusersName($0) }
        unetConfiguration = try SingleFileArchitecture.unet(checkpoint.unet, names: names, family: checkpoint.family,
                                                            pictureSize: pictureSize, path: path)
        vaeConfiguration = try SingleFileArchitecture.vae(checkpoint.vae, path: path)
        let levels = vaeConfiguration.blockOutChannels.count
        vaeWeights = try Self.renamed(checkpoint.vae, prefix: CompVisCheckpoint.vaePrefix, path: path) {
            CompVisVAENames.diffusersName($0, levels: levels)
        }.reduce(into: [:]) { result, entry in result[entry.key] = try CompVisVAENames.convert(entry.key, entry.value) }
        textEncoderWeights = isSD2
            ? try CompVisTextEncoderNames.fromOpenCLIP(checkpoint.textEncoder, path: path)
            : CompVisTextEncoderNames.fromCLIP(checkpoint.textEncoder)
        textEncoderConfiguration = try SingleFileArchitecture.textEncoder(textEncoderWeights, family: checkpoint.family, path: path)
    }

    /// `tensors` under the names `rename` gives; a tensor without one is an error naming it (a
    /// checkpoint of another architecture must not load half-way).
    private static func renamed(_ tensors: [String: MLXArray], prefix: String, path: String,
                                _ rename: (String) -> String?) throws -> [String: MLXArray] {
        var result: [String: MLXArray] = [:]
        for key in tensors.keys.sorted() {
            guard let name = rename(key) else {
                throw DiffusionError.invalidInput("'\(path)': tensor '\(prefix)\(key)' has no place in an SD 1.x/2.x model")
            }
            result[name] = tensors[key]
        }
        return result
    }

    public var specialTokens: CLIPSpecialTokens {
        get throws {
            var tokens = try CLIPSpecialTokens(directory: tokenizerFolder)
            if isSD2 { tokens.padding = CLIPAddedToken("!") }
            tokens.modelMaxLength = textEncoderConfiguration.maxPositions
            return tokens
        }
    }

    public func makeTokenizer() throws -> CLIPTokenizer {
        try CLIPTokenizer(
            vocabulary: CLIPVocabularyFiles.readVocabulary(tokenizerFolder.appendingPathComponent("vocab.json")),
            merges: CLIPVocabularyFiles.readMerges(tokenizerFolder.appendingPathComponent("merges.txt")),
            specialTokens: try specialTokens, source: tokenizerFolder.path)
    }

    public var schedulerValues: [String: Any] { NoiseSchedule.stableDiffusionConfig(predictionType: predictionType) }

    public func schedulerConfig() throws -> JSONConfig {
        JSONConfig(path: "\(path) (Stable Diffusion's default scheduler)", values: schedulerValues)
    }

    private func load<M: Module>(_ weights: [String: MLXArray], dtype: DType, build: () throws -> M) throws -> M {
        let module = try build()
        try module.cast(to: dtype)
        try module.load(weights: weights, source: path)
        return module
    }

    public func loadUNet(dtype: DType = .float32) throws -> UNet2DConditionModel {
        try load(unetWeights, dtype: dtype) { try UNet2DConditionModel(configuration: unetConfiguration) }
    }

    public func loadVAE(dtype: DType = .float32) throws -> AutoencoderKL {
        try load(vaeWeights, dtype: dtype) { try AutoencoderKL(configuration: vaeConfiguration) }
    }

    public func loadTextEncoder(dtype: DType = .float32) throws -> CLIPTextModel {
        try load(textEncoderWeights, dtype: dtype) { try CLIPTextModel(configuration: textEncoderConfiguration) }
    }
}
