import Foundation
import MLXCore

/// Optional per-model advice in `latent_prior.json` beside model_index.json: the guidance scale
/// each command should use when the user gives none. A tiny model like the toy world wants far
/// lower guidance than Stable Diffusion (whose SDS convention is 100): at 100 its colours saturate.
/// Models without the file (any diffusers download) get the commands' usual defaults.
public struct ModelRecommendations: Codable, Equatable, Sendable {
    public static let fileName = "latent_prior.json"

    /// Command name ("generate", "optimize", "text-to-3d") → guidance scale.
    public var guidanceScale: [String: Float]

    public init(guidanceScale: [String: Float]) {
        self.guidanceScale = guidanceScale
    }

    enum CodingKeys: String, CodingKey {
        case guidanceScale = "guidance_scale"
    }

    /// The model folder's recommendations, or nil when it has none (or they do not parse).
    public static func load(modelFolder: String) -> ModelRecommendations? {
        let url = URL(fileURLWithPath: modelFolder).appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(ModelRecommendations.self, from: data)
    }

    public func write(to modelFolder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(self), to: modelFolder.appendingPathComponent(Self.fileName).path)
    }
}
