import Foundation

/// Pictures in, whatever their format: PNG or JPEG, told apart by their first bytes (not the
/// file's name).
public enum ImageFile {
    /// The picture at `path` as RGB (PNG alpha composited over white).
    public static func readRGB(_ path: String, maxPixels: Int = ImageLimits.defaultMaxPixels) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageFileError.cannotRead(path: path, reason: "missing or unreadable")
        }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try PNG.decode(data, path: path, maxPixels: maxPixels) }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return try JPEG.decode(data, path: path, maxPixels: maxPixels) }
        throw ImageFileError.cannotRead(path: path, reason: data.isEmpty ? "the file is empty" : "not a PNG or JPEG file")
    }
}
