import Foundation
import MLXCore

/// An 8-bit RGB image in row-major order, the form every picture output goes through.
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// width · height · 3 bytes, RGB interleaved.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage needs width·height·3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        self.init(width: width, height: height,
                  pixels: (0..<(width * height)).flatMap { _ in [fill.0, fill.1, fill.2] })
    }

    /// From an [H, W, 3] array (channels-last) of values in `range` (Stable Diffusion decodes to [−1, 1]).
    public init(_ array: MLXArray, range: ClosedRange<Float> = -1...1) throws {
        guard array.ndim == 3, array.dim(2) == 3 else {
            throw MLXError("an image must be [H, W, 3], got \(array.shape)")
        }
        let scaled = try clip((array.asType(.float32) - range.lowerBound) * (255 / (range.upperBound - range.lowerBound)), min: 0, max: 255)
        let values = try round(scaled).asType(.uint8).toArray(UInt8.self)
        self.init(width: array.dim(1), height: array.dim(0), pixels: values)
    }

    /// The image as a float32 [H, W, 3] array with values in `range`.
    public func toArray(range: ClosedRange<Float> = -1...1) throws -> MLXArray {
        let values = try MLXArray(pixels, shape: [height, width, 3]).asType(.float32)
        return try values * ((range.upperBound - range.lowerBound) / 255) + range.lowerBound
    }

    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let offset = (y * width + x) * 3
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2])
    }
}
