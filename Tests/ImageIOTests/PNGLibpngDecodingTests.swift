import Foundation
import XCTest
@testable import ImageIO

/// Every PNG variant libpng reads comes out as 8-bit RGBA with the pixels its samples mean (PNG
/// spec §13.12: low-depth grey scaled to 0…255, tRNS marking one colour transparent, palettes
/// looked up). Inputs come from IndependentPNGWriter; expected pixels are closed forms of the
/// samples written. The bugs guarded against: Adam7 passes placed wrongly, 16-bit samples
/// truncated, sub-byte rows read without their padding, tRNS or a palette ignored.
final class PNGLibpngDecodingTests: XCTestCase {
    private func decode(_ bytes: [UInt8]) throws -> RGBAImage {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("libpng-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try PNG.readRGBA(path)
    }

    /// The decoded picture equals `expected(x, y)` at every pixel.
    private func assertPixels(_ image: RGBAImage, width: Int, height: Int, _ expected: (Int, Int) -> [Int],
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual([image.width, image.height], [width, height], file: file, line: line)
        guard image.width == width, image.height == height else { return }
        for y in 0..<height {
            for x in 0..<width {
                let p = image[x, y]
                let found = [Int(p.0), Int(p.1), Int(p.2), Int(p.3)]
                XCTAssertEqual(found, expected(x, y), "pixel (\(x), \(y))", file: file, line: line)
            }
        }
    }

    func testAdam7InterlacedPicturesPlaceEveryPassWhereItBelongs() throws {
        // 11×9: every pass non-empty, the last 8×8 block partial in both directions.
        let (width, height) = (11, 9)
        func rgb(_ x: Int, _ y: Int) -> [Int] { [(x * 23 + y * 5) % 256, (y * 29 + 3) % 256, (x * y * 3 + 7) % 256] }
        let interlaced = IndependentPNGWriter.file(width: width, height: height, depth: 8, colour: .rgb, interlaced: true, samples: rgb)
        assertPixels(try decode(interlaced), width: width, height: height) { x, y in rgb(x, y) + [255] }
        // Sub-byte samples: each pass's rows are packed and padded on their own.
        func grey(_ x: Int, _ y: Int) -> [Int] { [(x + 2 * y) % 4] }
        let greyTwoBit = IndependentPNGWriter.file(width: width, height: height, depth: 2, colour: .grey, interlaced: true, samples: grey)
        assertPixels(try decode(greyTwoBit), width: width, height: height) { x, y in
            let v = grey(x, y)[0] * 85
            return [v, v, v, 255]
        }
    }

    func testSixteenBitSamplesRoundToNearestEightBit() throws {
        // round(v · 255 / 65535); v/257 is never a tie. Truncating to the high byte would give
        // 0 for 0x00FF and 1 for 0x01FE.
        let values = [0x0000, 0x00FF, 0x01FE, 0x7F80, 0x8000, 0x80FF, 0xC0DE, 0xFF7F, 0xFFFF, 0x1234, 0x0080, 0xFE01]
        func rgba(_ x: Int, _ y: Int) -> [Int] { (0..<4).map { values[(x * 4 + $0 + y) % values.count] } }
        func eightBit(_ v: Int) -> Int { Int((Double(v) * 255 / 65535).rounded()) }
        let file = IndependentPNGWriter.file(width: 3, height: 2, depth: 16, colour: .rgba, samples: rgba)
        assertPixels(try decode(file), width: 3, height: 2) { x, y in rgba(x, y).map(eightBit) }
        let grey = IndependentPNGWriter.file(width: 6, height: 2, depth: 16, colour: .grey) { x, y in [values[x + 6 * y]] }
        assertPixels(try decode(grey), width: 6, height: 2) { x, y in
            let v = eightBit(values[x + 6 * y])
            return [v, v, v, 255]
        }
    }

    func testPaletteLooksUpColoursAndTRNSGivesTheirAlpha() throws {
        let palette: [[Int]] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [17, 34, 51]]
        // tRNS may be shorter than the palette: entries past its end are opaque.
        let alpha = [0, 128]
        func index(_ x: Int, _ y: Int) -> Int { (x + y) % 4 }
        let plte = ("PLTE", palette.flatMap { $0.map(UInt8.init) })
        let file = IndependentPNGWriter.file(width: 5, height: 3, depth: 2, colour: .palette,
                                             beforeData: [plte, ("tRNS", alpha.map(UInt8.init))]) { x, y in [index(x, y)] }
        assertPixels(try decode(file), width: 5, height: 3) { x, y in
            palette[index(x, y)] + [index(x, y) < alpha.count ? alpha[index(x, y)] : 255]
        }
        let opaque = IndependentPNGWriter.file(width: 5, height: 3, depth: 8, colour: .palette, beforeData: [plte]) { x, y in [index(x, y)] }
        assertPixels(try decode(opaque), width: 5, height: 3) { x, y in palette[index(x, y)] + [255] }
    }

    func testTRNSMakesExactlyTheKeyColourOfGreyAndRGBTransparent() throws {
        let greys = [50, 51, 49, 50]
        let grey = IndependentPNGWriter.file(width: 4, height: 1, depth: 8, colour: .grey, beforeData: [("tRNS", [0, 50])]) { x, _ in [greys[x]] }
        assertPixels(try decode(grey), width: 4, height: 1) { x, _ in
            let v = greys[x]
            return [v, v, v, v == 50 ? 0 : 255]
        }
        let colours: [[Int]] = [[10, 20, 30], [10, 20, 31], [30, 20, 10]]
        let key = ("tRNS", [UInt8]([0, 10, 0, 20, 0, 30]))
        let rgb = IndependentPNGWriter.file(width: 3, height: 1, depth: 8, colour: .rgb, beforeData: [key]) { x, _ in colours[x] }
        assertPixels(try decode(rgb), width: 3, height: 1) { x, _ in colours[x] + [x == 0 ? 0 : 255] }
        // At 16 bits the key is compared before scaling: 0x1200 and 0x1234 both become 18, but
        // only 0x1234 is transparent.
        let deep = IndependentPNGWriter.file(width: 2, height: 1, depth: 16, colour: .grey,
                                             beforeData: [("tRNS", [0x12, 0x34])]) { x, _ in [[0x1234, 0x1200][x]] }
        assertPixels(try decode(deep), width: 2, height: 1) { x, _ in [18, 18, 18, x == 0 ? 0 : 255] }
    }

    func testGreyAlphaBecomesGreyRGBKeepingItsAlpha() throws {
        func sample(_ x: Int, _ y: Int) -> [Int] { [x * 60 + y, [0, 77, 255][x]] }
        let file = IndependentPNGWriter.file(width: 3, height: 2, depth: 8, colour: .greyAlpha, samples: sample)
        assertPixels(try decode(file), width: 3, height: 2) { x, y in
            let s = sample(x, y)
            return [s[0], s[0], s[0], s[1]]
        }
        // 16 bits: both samples are scaled.
        let deep = IndependentPNGWriter.file(width: 3, height: 2, depth: 16, colour: .greyAlpha) { x, y in sample(x, y).map { $0 * 257 } }
        assertPixels(try decode(deep), width: 3, height: 2) { x, y in
            let s = sample(x, y)
            return [s[0], s[0], s[0], s[1]]
        }
    }

    func testOneTwoAndFourBitGreyScaleToTheFullRange() throws {
        // Width 10: rows end inside a byte, so each row's padding must be skipped.
        for depth in [1, 2, 4] {
            let maximum = (1 << depth) - 1
            func sample(_ x: Int, _ y: Int) -> Int { (x * 3 + y * 5) % (maximum + 1) }
            let file = IndependentPNGWriter.file(width: 10, height: 3, depth: depth, colour: .grey) { x, y in [sample(x, y)] }
            // v · 255 / (2^depth − 1): 0/255 at 1 bit, steps of 85 at 2 bits, 17 at 4 bits.
            assertPixels(try decode(file), width: 10, height: 3) { x, y in
                let v = sample(x, y) * 255 / maximum
                return [v, v, v, 255]
            }
        }
    }
}
