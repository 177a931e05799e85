import CZlib
import Foundation

extension PNG {
    /// Reads an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB or RGBA; alpha composited on white).
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
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw PNGFormatError(reason: "not a PNG file")
        }
        func u32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        var position = 8
        var (width, height, colourType) = (0, 0, 0)
        var compressed: [UInt8] = []
        while position + 8 <= bytes.count {
            let length = u32(position)
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            guard position + 12 + length <= bytes.count else { throw PNGFormatError(reason: "truncated \(type) chunk") }
            let body = Array(bytes[(position + 8)..<(position + 8 + length)])
            switch type {
            case "IHDR":
                guard body.count >= 13 else { throw PNGFormatError(reason: "short IHDR") }
                width = u32(position + 8)
                height = u32(position + 12)
                colourType = Int(body[9])
                guard body[8] == 8 else { throw PNGFormatError(reason: "bit depth \(body[8]) (only 8 is supported)") }
                guard body[12] == 0 else { throw PNGFormatError(reason: "interlaced PNGs are not supported") }
                guard [0, 2, 4, 6].contains(colourType) else { throw PNGFormatError(reason: "colour type \(colourType) is not supported") }
            case "IDAT":
                compressed += body
            default:
                break
            }
            position += 12 + length
        }
        guard width > 0, height > 0 else { throw PNGFormatError(reason: "no image header") }
        _ = try ImageLimits.checkedPixels(width: width, height: height, maxPixels: maxPixels, path: "")
        let channels = [0: 1, 2: 3, 4: 2, 6: 4][colourType]!
        let stride = width * channels
        var raw = [UInt8](repeating: 0, count: height * (stride + 1))
        var rawLength = uLongf(raw.count)
        let status = compressed.withUnsafeBufferPointer { source in
            uncompress(&raw, &rawLength, source.baseAddress, uLong(source.count))
        }
        guard status == Z_OK, Int(rawLength) == raw.count else { throw PNGFormatError(reason: "corrupt image data (zlib \(status))") }
        var rows = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            for x in 0..<stride {
                let value = raw[y * (stride + 1) + 1 + x]
                let left = x >= channels ? Int(rows[y * stride + x - channels]) : 0
                let up = y > 0 ? Int(rows[(y - 1) * stride + x]) : 0
                let upLeft = x >= channels && y > 0 ? Int(rows[(y - 1) * stride + x - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = left
                case 2: predictor = up
                case 3: predictor = (left + up) / 2
                case 4:
                    let p = left + up - upLeft
                    let (pa, pb, pc) = (abs(p - left), abs(p - up), abs(p - upLeft))
                    predictor = pa <= pb && pa <= pc ? left : (pb <= pc ? up : upLeft)
                default: throw PNGFormatError(reason: "unknown row filter \(filter)")
                }
                rows[y * stride + x] = UInt8(truncatingIfNeeded: Int(value) + predictor)
            }
        }
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for index in 0..<(width * height) {
            let source = index * channels
            for c in 0..<3 { pixels[index * 4 + c] = rows[source + (channels <= 2 ? 0 : c)] }
            if channels == 2 || channels == 4 { pixels[index * 4 + 3] = rows[source + channels - 1] }
        }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }
}
