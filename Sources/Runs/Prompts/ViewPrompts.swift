import Diffusion
import MLXCore
import Prior

/// The prompt's text conditioning for every view label, encoded once: "P, front view", "P, side
/// view", … (DreamFusion's view-dependent prompting; the toy model was trained on these suffixes),
/// or P alone when view-dependent prompts are off.
public struct ViewPrompts {
    private let conditionings: [ViewDirection?: TextConditioning]
    public let viewDependent: Bool

    public init(prompt: String, negativePrompt: String, viewDependent: Bool, encoder: PromptEncoder) throws {
        self.viewDependent = viewDependent
        let views: [ViewDirection?] = viewDependent ? ViewDirection.allCases : [nil]
        let texts = views.map { Self.text(prompt, view: $0) }
        let embeddings = try encoder.encode(texts + [negativePrompt])
        let unconditional = try embeddings.sliced(axis: 0, texts.count..<(texts.count + 1))
        var table: [ViewDirection?: TextConditioning] = [:]
        for (index, view) in views.enumerated() {
            table[view] = TextConditioning(conditional: try embeddings.sliced(axis: 0, index..<(index + 1)), unconditional: unconditional)
        }
        conditionings = table
    }

    public static func text(_ prompt: String, view: ViewDirection?) -> String {
        view.map { "\(prompt), \($0.rawValue) view" } ?? prompt
    }

    public func conditioning(for camera: OrbitCamera) -> TextConditioning {
        conditionings[viewDependent ? camera.viewDirection : nil]!
    }

    /// Perp-Neg's conditioning for `camera`: the blended positive prompt and the other directions'
    /// prompts as perpendicular negatives (`PerpNegSettings.blend`). Needs view-dependent prompts.
    public func conditioning(for camera: OrbitCamera, perpNeg: PerpNegSettings) throws -> TextConditioning {
        guard viewDependent else { throw RunError.invalidSetting("Perp-Neg needs view-dependent prompts") }
        let blend = perpNeg.blend(azimuth: camera.azimuth)
        let start = conditionings[blend.start]!, end = conditionings[blend.end]!
        let positive = try start.conditional * blend.r + end.conditional * (1 - blend.r)
        return TextConditioning(conditional: positive, unconditional: start.unconditional, perpendicularNegatives: blend.negatives.map {
            PerpendicularNegative(embeddings: conditionings[$0.direction]!.conditional, weights: [$0.weight])
        })
    }
}
