import Foundation
import XCTest
@testable import ImageIO

/// A minimal GIF decoder written from the GIF89a specification, independent of the encoder:
/// frames as RGB bytes, delays, and whether the NETSCAPE2.0 loop block is present.
private struct DecodedGIF {
    var width = 0, height = 0
    var frames: [[UInt8]] = []
    var delays: [Int] = []
    var loops = false

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 13, String(decoding: bytes[0..<6], as: UTF8.self) == "GIF89a" else { throw CocoaError(.fileReadCorruptFile) }
        func word(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        width = word(6)
        height = word(8)
        var position = 13
        var palette: [[UInt8]] = []
        if bytes[10] & 0x80 != 0 {
            let count = 1 << (Int(bytes[10] & 7) + 1)
            palette = (0..<count).map { Array(bytes[(13 + $0 * 3)..<(16 + $0 * 3)]) }
            position += count * 3
        }
        func subBlocks() -> [UInt8] {
            var result: [UInt8] = []
            while bytes[position] != 0 {
                let size = Int(bytes[position])
                result += bytes[(position + 1)...(position + size)]
                position += size + 1
            }
            position += 1
            return result
        }
        while position < bytes.count {
            switch bytes[position] {
            case 0x21:
                let label = bytes[position + 1]
                position += 2
                let body = subBlocks()
                if label == 0xF9 { delays.append(Int(body[1]) | Int(body[2]) << 8) }
                if label == 0xFF, String(decoding: body.prefix(11), as: UTF8.self) == "NETSCAPE2.0" { loops = true }
            case 0x2C:
                let w = word(position + 5), h = word(position + 7)
                position += 10
                let minimumCodeSize = Int(bytes[position])
                position += 1
                let indices = Self.lzwDecode(subBlocks(), minimumCodeSize: minimumCodeSize, count: w * h)
                frames.append(indices.flatMap { palette[Int($0)] })
            case 0x3B:
                return
            default:
                throw CocoaError(.fileReadCorruptFile)
            }
        }
    }

    static func lzwDecode(_ data: [UInt8], minimumCodeSize: Int, count: Int) -> [UInt8] {
        let clear = 1 << minimumCodeSize, end = clear + 1
        var dictionary: [[UInt8]] = []
        var codeSize = minimumCodeSize + 1
        var output: [UInt8] = []
        var previous: [UInt8]?
        var bit = 0
        func reset() {
            dictionary = (0..<clear).map { [UInt8($0)] } + [[], []]
            codeSize = minimumCodeSize + 1
            previous = nil
        }
        reset()
        while bit + codeSize <= data.count * 8 {
            var code = 0
            for i in 0..<codeSize where data[(bit + i) / 8] & (1 << ((bit + i) % 8)) != 0 { code |= 1 << i }
            bit += codeSize
            if code == clear { reset(); continue }
            if code == end { break }
            var entry: [UInt8]
            if code < dictionary.count {
                entry = dictionary[code]
                if let previous { dictionary.append(previous + [entry[0]]) }
            } else {
                entry = previous! + [previous![0]]
                dictionary.append(entry)
            }
            output += entry
            previous = entry
            if dictionary.count == 1 << codeSize && codeSize < 12 { codeSize += 1 }
        }
        return Array(output.prefix(count))
    }
}

final class GIFTests: XCTestCase {
    /// Frames with ≤ 256 colours come back exactly; one frame is large and varied enough that the
    /// LZW table fills and restarts with a clear code.
    func testFramesWithFewColoursRoundTripExactly() throws {
        var generator = UInt64(12345)
        func next() -> Int {
            generator = generator &* 6364136223846793005 &+ 1442695040888963407
            return Int(generator >> 33)
        }
        let colours: [[UInt8]] = (0..<200).map { (i: Int) -> [UInt8] in
            let r: Int = i % 8 * 32 + 3, g: Int = i / 8 % 5 * 50 + 7, b: Int = i / 40 * 60 + 11
            return [UInt8(r), UInt8(g), UInt8(b)]
        }
        let noisy = RGBImage(width: 300, height: 300, pixels: (0..<(300 * 300)).flatMap { _ in colours[next() % 200] })
        let gradient = RGBImage(width: 300, height: 300, pixels: (0..<(300 * 300)).flatMap { p in colours[(p % 300) * 200 / 300] })
        let flat = RGBImage(width: 300, height: 300, fill: (255, 255, 255))
        let data = try AnimatedGIF.encode([noisy, gradient, flat], delayCentiseconds: 7)
        let decoded = try DecodedGIF(data)
        XCTAssertEqual(decoded.width, 300)
        XCTAssertEqual(decoded.height, 300)
        XCTAssertTrue(decoded.loops)
        XCTAssertEqual(decoded.delays, [7, 7, 7])
        XCTAssertEqual(decoded.frames.count, 3)
        for (original, frame) in zip([noisy, gradient, flat], decoded.frames) {
            XCTAssertEqual(frame, original.pixels)
        }
    }

    func testManyColoursAreApproximatedClosely() throws {
        let size = 128
        let pixels = (0..<(size * size)).flatMap { p -> [UInt8] in
            let x = p % size, y = p / size
            return [UInt8(x * 2), UInt8(y * 2), UInt8((x + y) % 256)]
        }
        let image = RGBImage(width: size, height: size, pixels: pixels)
        let decoded = try DecodedGIF(AnimatedGIF.encode([image]))
        let error = zip(decoded.frames[0], pixels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(pixels.count)
        XCTAssertLessThan(error, 6, "mean absolute error per channel")
    }

    func testBadInputIsAnError() {
        XCTAssertThrowsError(try AnimatedGIF.encode([])) { XCTAssertEqual($0 as? AnimatedGIF.EncodingError, .noFrames) }
        let a = RGBImage(width: 2, height: 2), b = RGBImage(width: 3, height: 2)
        XCTAssertThrowsError(try AnimatedGIF.encode([a, b])) { XCTAssertTrue("\($0)".contains("frame 1 is 3×2"), "\($0)") }
        XCTAssertThrowsError(try AnimatedGIF.encode([a], delayCentiseconds: 0))
    }
}
