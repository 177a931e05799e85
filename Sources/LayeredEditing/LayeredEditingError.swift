/// Why an editing model, loss or dataset could not do what was asked; each message is one line
/// naming the setting, shape or size that was wrong and what was expected.
public enum LayeredEditingError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(name: String, value: String, expected: String)
    case invalidShape(what: String, shape: [Int], expected: String)
    case pictureTooSmall(height: Int, width: Int, scales: Int, minimumSide: Int)

    public var description: String {
        switch self {
        case let .invalidSetting(name, value, expected):
            return "\(name) = \(value) is not allowed: expected \(expected)"
        case let .invalidShape(what, shape, expected):
            return "\(what) has shape \(shape), expected \(expected)"
        case let .pictureTooSmall(height, width, scales, minimumSide):
            return "a \(height)×\(width) picture is too small for a \(scales)-scale generator: each side must be at least \(minimumSide) (the deepest level needs 2 pixels a side for its reflection padding and batch statistics)"
        }
    }
}
