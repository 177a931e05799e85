/// Why a field could not be turned into a surface; each case carries the numbers that were wrong.
public enum IsoSurfaceError: Error, CustomStringConvertible {
    case resolutionTooSmall(SIMD3<Int>)
    case emptyBox(lower: SIMD3<Float>, upper: SIMD3<Float>)
    case valueCountMismatch(expected: Int, actual: Int, resolution: SIMD3<Int>)
    case nonFiniteValue(index: Int, value: Float)
    case nonFiniteLevel(Float)

    public var description: String {
        switch self {
        case .resolutionTooSmall(let resolution):
            return "iso-surface grid resolution \(resolution.x)×\(resolution.y)×\(resolution.z) is too small: "
                + "every axis needs at least 2 samples"
        case .emptyBox(let lower, let upper):
            return "iso-surface box \(lower)...\(upper) is empty: lower must be below upper on every axis"
        case .valueCountMismatch(let expected, let actual, let resolution):
            return "iso-surface field has \(actual) values, but a \(resolution.x)×\(resolution.y)×\(resolution.z) "
                + "grid needs \(expected)"
        case .nonFiniteValue(let index, let value):
            return "iso-surface field value \(value) at index \(index) is not finite"
        case .nonFiniteLevel(let level):
            return "iso-surface level \(level) is not finite"
        }
    }
}
