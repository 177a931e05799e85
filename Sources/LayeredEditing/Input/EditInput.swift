import Foundation
import ImageIO
import MLXCore

/// The picture being edited: its pixels at their own size (the outputs are composited over them)
/// and as an array for the internal dataset, with the optional mask beside it.
public struct EditInput {
    public let path: String
    public let original: RGBImage
    /// [1, H, W, 3] in [0, 1] at the picture's own size.
    public let picture: MLXArray
    /// [1, H, W, 1] in [0, 1] at the picture's own size (white: where the edit belongs), if given.
    public let mask: MLXArray?

    public init(path: String, maskPath: String?, maxPixels: Int = ImageLimits.defaultMaxPixels) throws {
        self.path = path
        original = try ImageFile.readRGB(path, maxPixels: maxPixels)
        picture = try original.toArray(range: 0...1).expandedDimensions(axis: 0)
        if let maskPath {
            let image = try ImageFile.readRGB(maskPath, maxPixels: maxPixels)
            guard image.width == original.width, image.height == original.height else {
                throw EditInputError.maskSize(path: maskPath, width: image.width, height: image.height,
                                              expectedWidth: original.width, expectedHeight: original.height)
            }
            // The mask's brightness (mean of its channels) is its value.
            mask = try image.toArray(range: 0...1).mean(axes: [2], keepDims: true).expandedDimensions(axis: 0)
        } else {
            mask = nil
        }
    }

    /// The working size for a model whose pictures are `shortSide` pixels and whose VAE and UNet
    /// need sides in multiples of `multiple` (each side at least the VAE's `downsampling`).
    public func workingSize(shortSide: Int, multiple: Int, downsampling: Int) throws -> WorkingSize {
        guard original.width >= downsampling, original.height >= downsampling else {
            throw EditInputError.tooSmall(path: path, width: original.width, height: original.height, minimum: downsampling)
        }
        return try WorkingSize.fitting(height: original.height, width: original.width, shortSide: shortSide, multiple: multiple)
    }

    /// FNV-1a (64-bit) of the size and pixels: a resumed run must edit the same picture.
    public var fingerprint: String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        for value in [UInt32(original.width), UInt32(original.height)] {
            withUnsafeBytes(of: value.littleEndian) { $0.forEach(mix) }
        }
        original.pixels.forEach(mix)
        return String(hash, radix: 16)
    }
}
