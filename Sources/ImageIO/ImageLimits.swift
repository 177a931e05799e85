/// The largest picture a reader decodes unless told otherwise: 2²⁶ pixels (64 megapixels, 256 MiB
/// as RGBA), checked from the header before anything is allocated, so a 100-byte file that claims
/// to be 100000 × 100000 pixels is refused instead of filling the memory.
public enum ImageLimits {
    public static let defaultMaxPixels = 1 << 26

    /// width · height, checked: positive sides, no overflow, at most `maxPixels`.
    static func checkedPixels(width: Int, height: Int, maxPixels: Int, path: String) throws -> Int {
        guard width > 0, height > 0 else { throw ImageFileError.cannotRead(path: path, reason: "image is \(width)×\(height) pixels") }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count <= maxPixels else {
            throw ImageFileError.cannotRead(path: path, reason: "image is \(width)×\(height) pixels, above the limit of \(maxPixels) pixels")
        }
        return count
    }
}
