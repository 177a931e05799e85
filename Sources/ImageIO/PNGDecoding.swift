import CImageCodecs
import Foundation

/// PNG decoding through Debian's libpng (CImageCodecs): every variant libpng reads (grey of 1–16
/// bits, grey+alpha, RGB and RGBA of 8 or 16 bits, palette, tRNS, Adam7) comes out as 8-bit RGBA,
/// with the pixel count checked from the header before any allocation. Damaged files (a bad CRC in
/// any chunk, truncated or corrupt image data) are refused with libpng's one-line message.
extension PNG {
    /// Reads a PNG as RGB, alpha composited on white.
    public static func read(_ path: String, maxPixels: Int = ImageLimits.defaultMaxPixels) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageFileError.cannotRead(path: path, reason: "missing or unreadable")
        }
        return try decode(data, path: path, maxPixels: maxPixels)
    }

    static func decode(_ data: Data, path: String, maxPixels: Int) throws -> RGBImage {
        try decodeRGBA(data, path: path, maxPixels: maxPixels).overWhite()
    }

    /// Reads a PNG with its alpha channel (255 where the file has none).
    public static func readRGBA(_ path: String, maxPixels: Int = ImageLimits.defaultMaxPixels) throws -> RGBAImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageFileError.cannotRead(path: path, reason: "missing or unreadable")
        }
        return try decodeRGBA(data, path: path, maxPixels: maxPixels)
    }

    static func decodeRGBA(_ data: Data, path: String, maxPixels: Int) throws -> RGBAImage {
        do {
            return try decodeRGBA(data, maxPixels: maxPixels)
        } catch let error as PNGFormatError {
            throw ImageFileError.cannotRead(path: path, reason: error.reason)
        } catch ImageFileError.cannotRead(_, let reason) {
            throw ImageFileError.cannotRead(path: path, reason: reason)
        }
    }

    struct PNGFormatError: Error { let reason: String }

    static func decodeRGBA(_ data: Data, maxPixels: Int = ImageLimits.defaultMaxPixels) throws -> RGBAImage {
        try data.withUnsafeBytes { raw -> RGBAImage in
            let bytes = raw.bindMemory(to: UInt8.self)
            var width: Int32 = 0, height: Int32 = 0
            var message = [CChar](repeating: 0, count: 256)
            guard lp_png_size(bytes.baseAddress, bytes.count, &width, &height, &message, message.count) == 0 else {
                throw PNGFormatError(reason: String(cString: message))
            }
            let pixelCount = try ImageLimits.checkedPixels(width: Int(width), height: Int(height), maxPixels: maxPixels, path: "")
            var pixels = [UInt8](repeating: 0, count: pixelCount * 4)
            let status = pixels.withUnsafeMutableBufferPointer { output in
                lp_png_decode_rgba(bytes.baseAddress, bytes.count, output.baseAddress, output.count, &message, message.count)
            }
            guard status == 0 else { throw PNGFormatError(reason: String(cString: message)) }
            return RGBAImage(width: Int(width), height: Int(height), pixels: pixels)
        }
    }
}
