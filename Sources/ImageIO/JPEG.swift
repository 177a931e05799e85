import CImageCodecs
import Foundation
import MLXCore

/// JPEG through Debian's libjpeg-turbo (CImageCodecs): decoding to RGB with the pixel count checked
/// from the header before any allocation, and encoding.
public enum JPEG {
    /// Decodes `data` (the contents of `path`, which names it in errors) to RGB.
    static func decode(_ data: Data, path: String, maxPixels: Int) throws -> RGBImage {
        try data.withUnsafeBytes { raw -> RGBImage in
            let bytes = raw.bindMemory(to: UInt8.self)
            var width: Int32 = 0, height: Int32 = 0
            var message = [CChar](repeating: 0, count: 256)
            guard lp_jpeg_size(bytes.baseAddress, bytes.count, &width, &height, &message, message.count) == 0 else {
                throw ImageFileError.cannotRead(path: path, reason: "corrupt JPEG: \(String(cString: message))")
            }
            let pixelCount = try ImageLimits.checkedPixels(width: Int(width), height: Int(height), maxPixels: maxPixels, path: path)
            var pixels = [UInt8](repeating: 0, count: pixelCount * 3)
            let status = pixels.withUnsafeMutableBufferPointer { output in
                lp_jpeg_decode(bytes.baseAddress, bytes.count, output.baseAddress, output.count, &message, message.count)
            }
            guard status == 0 else { throw ImageFileError.cannotRead(path: path, reason: "corrupt JPEG: \(String(cString: message))") }
            return RGBImage(width: Int(width), height: Int(height), pixels: pixels)
        }
    }

    /// Encodes `image` at `quality` (1–100).
    public static func encode(_ image: RGBImage, quality: Int = 92) throws -> Data {
        guard (1...100).contains(quality) else { throw ImageFileError.cannotWrite(path: "<jpeg>", reason: "quality must lie in 1…100, got \(quality)") }
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            lp_jpeg_encode(pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(quality), &output, &length, &message, message.count)
        }
        guard status == 0, let output else { throw ImageFileError.cannotWrite(path: "<jpeg>", reason: String(cString: message)) }
        defer { lp_jpeg_free(output) }
        return Data(bytes: output, count: length)
    }

    /// Writes atomically: a temporary file beside `path`, then a rename.
    public static func write(_ image: RGBImage, to path: String, quality: Int = 92) throws {
        try writeAtomically(try encode(image, quality: quality), to: path)
    }
}
