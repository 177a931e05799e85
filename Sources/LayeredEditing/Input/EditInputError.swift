/// Why the picture or mask of an edit cannot be used; each names the file.
public enum EditInputError: Error, CustomStringConvertible, Equatable {
    case tooSmall(path: String, width: Int, height: Int, minimum: Int)
    case maskSize(path: String, width: Int, height: Int, expectedWidth: Int, expectedHeight: Int)

    public var description: String {
        switch self {
        case let .tooSmall(path, width, height, minimum):
            return "cannot edit '\(path)': it is \(width)×\(height) pixels; each side must be at least \(minimum) (the VAE's downsampling factor)"
        case let .maskSize(path, width, height, expectedWidth, expectedHeight):
            return "mask '\(path)' is \(width)×\(height) pixels; it must be the picture's size, \(expectedWidth)×\(expectedHeight)"
        }
    }
}
