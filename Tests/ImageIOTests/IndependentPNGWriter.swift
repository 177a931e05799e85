import Foundation

/// Test inputs for the PNG reader, written from the PNG specification alone: no zlib, no ImageIO
/// code. CRC-32 is computed bit by bit, the image data is deflate's stored (uncompressed) blocks
/// with their Adler-32, scanlines use filter 0, samples are packed most significant bit first and
/// interlaced pictures are split into the seven Adam7 passes (PNG spec §8.2).
enum IndependentPNGWriter {
    /// PNG colour types (spec §11.2.2).
    enum Colour: UInt8 { case grey = 0, rgb = 2, palette = 3, greyAlpha = 4, rgba = 6 }

    /// A whole file: `samples(x, y)` gives each pixel's samples at `depth` bits; `beforeData` and
    /// `afterData` are chunks (type, body) placed before and after the IDAT chunk.
    static func file(width: Int, height: Int, depth: Int, colour: Colour, interlaced: Bool = false,
                     beforeData: [(String, [UInt8])] = [], afterData: [(String, [UInt8])] = [],
                     samples: (Int, Int) -> [Int]) -> [UInt8] {
        let data = zlibStored(scanlines(width: width, height: height, depth: depth, interlaced: interlaced, samples: samples))
        return file(width: width, height: height, depth: depth, colour: colour, interlaced: interlaced,
                    chunks: beforeData + [("IDAT", data)] + afterData)
    }

    /// A file whose IHDR says `width`×`height` and whose other chunks are `chunks`, then IEND.
    static func file(width: Int, height: Int, depth: Int, colour: Colour, interlaced: Bool = false,
                     chunks: [(String, [UInt8])]) -> [UInt8] {
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [UInt8(depth), colour.rawValue, 0, 0, interlaced ? 1 : 0]
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for (type, body) in [("IHDR", header)] + chunks + [("IEND", [])] { bytes += chunk(type, body) }
        return bytes
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
    }

    /// Filter byte 0 and the packed samples of every row, pass by pass when interlaced.
    static func scanlines(width: Int, height: Int, depth: Int, interlaced: Bool, samples: (Int, Int) -> [Int]) -> [UInt8] {
        // Adam7: (first column, first row, column step, row step) of each pass.
        let passes = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        var out: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let columns = Array(stride(from: x0, to: width, by: dx))
            guard !columns.isEmpty else { continue }  // an empty pass has no rows at all
            for y in stride(from: y0, to: height, by: dy) {
                out.append(0)
                out += pack(columns.flatMap { samples($0, y) }, depth: depth)
            }
        }
        return out
    }

    /// Samples of one row at `depth` bits: big-endian pairs at 16, bytes at 8, below 8 most
    /// significant bits first with the last byte padded by zeros.
    static func pack(_ values: [Int], depth: Int) -> [UInt8] {
        switch depth {
        case 16: return values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case 8: return values.map { UInt8($0) }
        default:
            var out = [UInt8](repeating: 0, count: (values.count * depth + 7) / 8)
            for (index, value) in values.enumerated() {
                let bit = index * depth
                out[bit / 8] |= UInt8(value << (8 - depth - bit % 8))
            }
            return out
        }
    }

    /// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4).
    static func zlibStored(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let length = min(65535, raw.count - start)
            let last: UInt8 = start + length == raw.count ? 1 : 0
            out += [last, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += raw[start..<(start + length)]
            start += length
        } while start < raw.count
        return out + bigEndian(adler32(raw))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
