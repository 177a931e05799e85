import Foundation
import MLXCore

/// An 8-bit RGBA image in row-major order: a layer to lay over other pictures (edit layers).
public struct RGBAImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// width · height · 4 bytes, RGBA interleaved, alpha not premultiplied (as PNG stores it).
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 4, "RGBAImage needs width·height·4 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// From an [H, W, 4] array (channels-last) of values in `range`.
    public init(_ array: MLXArray, range: ClosedRange<Float> = 0...1) throws {
        guard array.ndim == 3, array.dim(2) == 4 else {
            throw MLXError("an RGBA image must be [H, W, 4], got \(array.shape)")
        }
        let scaled = try clip((array.asType(.float32) - range.lowerBound) * (255 / (range.upperBound - range.lowerBound)), min: 0, max: 255)
        self.init(width: array.dim(1), height: array.dim(0), pixels: try round(scaled).asType(.uint8).toArray(UInt8.self))
    }

    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8, UInt8) {
        let offset = (y * width + x) * 4
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2], pixels[offset + 3])
    }

    /// Composited over a white background (how a picture with transparency is shown).
    public func overWhite() -> RGBImage {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for index in 0..<(width * height) {
            let alpha = Float(pixels[index * 4 + 3]) / 255
            for c in 0..<3 {
                rgb[index * 3 + c] = UInt8((Float(pixels[index * 4 + c]) * alpha + 255 * (1 - alpha)).rounded())
            }
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }
}
