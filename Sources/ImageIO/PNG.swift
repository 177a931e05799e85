import CZlib
import Foundation
import MLXCore

public enum ImageFileError: Error, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "cannot write '\(path)': \(reason)"
        case let .cannotRead(path, reason): return "cannot read image '\(path)': \(reason)"
        }
    }
}

/// PNG encoding (8-bit RGB or RGBA, zlib-compressed scanlines with filter "none"). Written with
/// zlib directly rather than libpng: an encoder of unfiltered 8-bit scanlines is the IHDR, one
/// deflate call and three CRCs, and zlib is linked already.
public enum PNG {
    public static func encode(_ image: RGBImage) throws -> Data {
        try encode(pixels: image.pixels, width: image.width, height: image.height, channels: 3)
    }

    public static func encode(_ image: RGBAImage) throws -> Data {
        try encode(pixels: image.pixels, width: image.width, height: image.height, channels: 4)
    }

    private static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> Data {
        var data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        // Bit depth 8, colour type RGB (2) or RGBA (6), default methods, no interlace.
        header.append(contentsOf: [8, channels == 4 ? 6 : 2, 0, 0, 0])
        appendChunk("IHDR", header, to: &data)
        let stride = width * channels
        var scanlines = Data(capacity: height * (stride + 1))
        pixels.withUnsafeBufferPointer { pixels in
            for row in 0..<height {
                scanlines.append(0)
                scanlines.append(pixels.baseAddress! + row * stride, count: stride)
            }
        }
        appendChunk("IDAT", try deflate(scanlines), to: &data)
        appendChunk("IEND", Data(), to: &data)
        return data
    }

    /// Writes atomically: a temporary file beside `path`, then a rename.
    public static func write(_ image: RGBImage, to path: String) throws {
        try writeAtomically(try encode(image), to: path)
    }

    /// Writes an RGBA picture (a layer with its alpha), atomically.
    public static func write(_ image: RGBAImage, to path: String) throws {
        try writeAtomically(try encode(image), to: path)
    }

    private static func appendChunk(_ type: String, _ payload: Data, to data: inout Data) {
        data.appendBigEndian(UInt32(payload.count))
        var chunk = Data(type.utf8)
        chunk.append(payload)
        data.append(chunk)
        let crc = chunk.withUnsafeBytes { bytes in
            crc32(0, bytes.bindMemory(to: Bytef.self).baseAddress, uInt(bytes.count))
        }
        data.appendBigEndian(UInt32(crc))
    }

    private static func deflate(_ input: Data) throws -> Data {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = input.withUnsafeBytes { source in
            compress2(&output, &length, source.bindMemory(to: Bytef.self).baseAddress, uLong(input.count), 6)
        }
        guard status == Z_OK else { throw ImageFileError.cannotWrite(path: "<png>", reason: "zlib error \(status)") }
        return Data(output.prefix(Int(length)))
    }
}

extension Data {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}
