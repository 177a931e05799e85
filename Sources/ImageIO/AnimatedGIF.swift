import Foundation
import MLXCore

/// Looping animated GIFs (GIF89a) for turntables: one global palette for all frames
/// (GIFPalette), a NETSCAPE2.0 loop extension, a graphic-control block per frame with its delay,
/// and LZW-compressed frames (GIFLZW).
public enum AnimatedGIF {
    public enum EncodingError: Error, CustomStringConvertible, Equatable {
        case noFrames
        case emptyFrame
        case frameSizeMismatch(index: Int, expected: String, actual: String)
        case delayOutOfRange(Int)

        public var description: String {
            switch self {
            case .noFrames: return "a GIF needs at least one frame"
            case .emptyFrame: return "GIF frames must be at least 1×1 pixels"
            case let .frameSizeMismatch(index, expected, actual): return "GIF frame \(index) is \(actual), the first frame is \(expected)"
            case .delayOutOfRange(let delay): return "GIF frame delay must be 1…65535 centiseconds, got \(delay)"
            }
        }
    }

    public static func encode(_ frames: [RGBImage], delayCentiseconds: Int = 8) throws -> Data {
        guard let first = frames.first else { throw EncodingError.noFrames }
        guard first.width > 0, first.height > 0, first.width <= 65535, first.height <= 65535 else { throw EncodingError.emptyFrame }
        guard (1...65535).contains(delayCentiseconds) else { throw EncodingError.delayOutOfRange(delayCentiseconds) }
        for (index, frame) in frames.enumerated() where frame.width != first.width || frame.height != first.height {
            throw EncodingError.frameSizeMismatch(index: index, expected: "\(first.width)×\(first.height)", actual: "\(frame.width)×\(frame.height)")
        }
        var palette = GIFPalette(frames: frames)
        var bytes: [UInt8] = Array("GIF89a".utf8)
        func word(_ value: Int) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
        // Logical screen: global colour table of 256 entries (size field 7 → 2^(7+1)).
        word(first.width)
        word(first.height)
        bytes += [0xF7, 0, 0]
        for index in 0..<256 {
            let colour = index < palette.colours.count ? palette.colours[index] : SIMD3<UInt8>(0, 0, 0)
            bytes += [colour.x, colour.y, colour.z]
        }
        // NETSCAPE2.0: loop forever.
        bytes += [0x21, 0xFF, 0x0B] + Array("NETSCAPE2.0".utf8) + [0x03, 0x01, 0x00, 0x00, 0x00]
        for frame in frames {
            bytes += [0x21, 0xF9, 0x04, 0x00]  // graphic control: no transparency, disposal unspecified
            word(delayCentiseconds)
            bytes += [0x00, 0x00]
            bytes += [0x2C]  // image descriptor: whole screen, no local table, not interlaced
            word(0)
            word(0)
            word(frame.width)
            word(frame.height)
            bytes += [0x00]
            var indices = [UInt8](repeating: 0, count: frame.width * frame.height)
            for pixel in 0..<indices.count {
                indices[pixel] = palette.index(frame.pixels[pixel * 3], frame.pixels[pixel * 3 + 1], frame.pixels[pixel * 3 + 2])
            }
            bytes += [0x08]  // LZW minimum code size
            let compressed = GIFLZW.compress(indices, minimumCodeSize: 8)
            var start = 0
            while start < compressed.count {
                let end = min(start + 255, compressed.count)
                bytes.append(UInt8(end - start))
                bytes += compressed[start..<end]
                start = end
            }
            bytes.append(0x00)
        }
        bytes.append(0x3B)
        return Data(bytes)
    }

    /// Encodes and writes atomically (temporary file, then rename).
    public static func write(_ frames: [RGBImage], to path: String, delayCentiseconds: Int = 8) throws {
        try writeAtomically(try encode(frames, delayCentiseconds: delayCentiseconds), to: path)
    }
}
