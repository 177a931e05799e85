import Foundation

/// CIE 1976 L*a*b* of sRGB colours (D65 white), for colour differences a person would notice:
/// ΔE*ab = the Euclidean distance in Lab (about 2.3 is just noticeable).
public enum CIELab {
    /// sRGB in 0…255 → (L*, a*, b*).
    public static func lab(_ rgb: SIMD3<Float>) -> SIMD3<Float> {
        func linear(_ c: Float) -> Float {
            let v = min(max(c / 255, 0), 1)
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        let r = linear(rgb.x), g = linear(rgb.y), b = linear(rgb.z)
        // sRGB → XYZ (IEC 61966-2-1), normalised by D65's white point.
        let x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
        let z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
        func f(_ t: Float) -> Float { t > 216 / 24389 ? cbrt(t) : (24389 / 27 * t + 16) / 116 }
        let fx = f(x), fy = f(y), fz = f(z)
        return SIMD3(116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    /// ΔE*ab (CIE76) between two sRGB colours in 0…255.
    public static func difference(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float {
        let d = lab(a) - lab(b)
        return (d * d).sum().squareRoot()
    }
}
