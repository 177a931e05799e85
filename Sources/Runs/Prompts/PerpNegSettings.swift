import Foundation

/// Perp-Neg for view prompts (Armandpour et al., 2023), with stable-dreamfusion's weights: the
/// positive prompt blends the two nearest azimuth prompts ("front" ↔ "side" in front, "side" ↔ "back"
/// behind), and the prompts of the other directions act as negatives whose weight decays
/// exponentially with how far the camera is from them. It fights the "Janus" problem: a face (or
/// any front-only feature) painted on every side, because the front view dominates SD's training data.
public struct PerpNegSettings: Codable, Equatable, Sendable {
    /// The negatives' base weight (stable-dreamfusion's `--negative_w`).
    public var negativeWeight: Float = -2
    /// How fast the front prompt's negative weight decays as the camera nears the front.
    public var frontDecay: Float = 2
    /// How fast the side prompt's negative weight decays as the camera nears the side.
    public var sideDecay: Float = 10

    public init() {}

    /// One view's prompts: `positive` = r · start + (1 − r) · end (text embeddings), and the negatives
    /// with their weights, in stable-dreamfusion's order.
    public struct Blend: Equatable {
        public let r: Float
        public let start: ViewDirection
        public let end: ViewDirection
        public let negatives: [Negative]
    }

    public struct Negative: Equatable {
        public let direction: ViewDirection
        public let weight: Float
    }

    /// The blend for a camera at `azimuth` degrees (0 = front, any range; elevation plays no part,
    /// as in stable-dreamfusion's `get_pos_neg_text_embeddings`).
    public func blend(azimuth: Float) -> Blend {
        // stable-dreamfusion's azimuths lie in [−180, 180).
        var a = (azimuth + 180).truncatingRemainder(dividingBy: 360)
        if a < 0 { a += 360 }
        a -= 180
        if a >= -90 && a < 90 {
            let r = a >= 0 ? 1 - a / 90 : 1 + a / 90
            let front: Float = r > 0.8 ? 0 : exp(-r * frontDecay) * negativeWeight
            let side: Float = r < 0.2 ? 0 : exp(-(1 - r) * sideDecay) * negativeWeight
            return Blend(r: r, start: .front, end: .side,
                         negatives: [Negative(direction: .front, weight: front), Negative(direction: .side, weight: side)])
        }
        let r = a >= 0 ? 1 - (a - 90) / 90 : 1 + (a + 90) / 90
        let side: Float = r > 0.8 ? 0 : exp(-r * sideDecay) * negativeWeight / 2
        return Blend(r: r, start: .side, end: .back,
                     negatives: [Negative(direction: .side, weight: side), Negative(direction: .front, weight: negativeWeight)])
    }

    /// The checks a user's values must pass; messages name the option.
    public func validated() throws -> PerpNegSettings {
        guard negativeWeight.isFinite, frontDecay.isFinite, sideDecay.isFinite else {
            throw RunError.invalidSetting("Perp-Neg's weights must be finite numbers")
        }
        guard frontDecay >= 0, sideDecay >= 0 else { throw RunError.invalidSetting("Perp-Neg's decay factors must not be negative") }
        return self
    }
}
