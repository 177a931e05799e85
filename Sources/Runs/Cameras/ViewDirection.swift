/// DreamFusion's view-dependent prompt suffix: overhead above 60° elevation... here above 40°
/// (the toy cameras stop at 60°), otherwise front within ±45° of azimuth 0, back within ±45° of
/// 180, side elsewhere. The toy world's captions and text-to-3D's view prompts share it.
public enum ViewDirection: String, CaseIterable, Codable, Sendable {
    case front, side, back, overhead

    public init(azimuth: Float, elevation: Float) {
        if elevation > 40 {
            self = .overhead
            return
        }
        let a = (azimuth.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360)
        if a < 45 || a >= 315 {
            self = .front
        } else if a >= 135 && a < 225 {
            self = .back
        } else {
            self = .side
        }
    }
}
