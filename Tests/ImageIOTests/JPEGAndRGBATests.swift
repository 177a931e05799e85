import Foundation
import XCTest
@testable import ImageIO

/// JPEG through libjpeg-turbo, RGBA PNGs, format sniffing and the pixel limit.
final class JPEGAndRGBATests: XCTestCase {
    private func temporaryPath(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// A smooth picture survives JPEG at quality 95 within a few levels (JPEG is lossy: the bound is
    /// the codec's, measured on this gradient), whatever the file is named.
    func testJPEGRoundTripIsClose() throws {
        var pixels: [UInt8] = []
        for y in 0..<24 { for x in 0..<40 { pixels += [UInt8(x * 6), UInt8(y * 10), UInt8(128)] } }
        let image = RGBImage(width: 40, height: 24, pixels: pixels)
        let path = temporaryPath("photo.png")  // a JPEG named .png: the reader goes by the bytes
        try JPEG.write(image, to: path, quality: 95)
        let read = try ImageFile.readRGB(path)
        XCTAssertEqual([read.width, read.height], [40, 24])
        let worst = zip(read.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.max()!
        XCTAssertLessThanOrEqual(worst, 8)
    }

    func testRGBAPNGRoundTripIsExact() throws {
        let pixels = (0..<(7 * 5 * 4)).map { UInt8(($0 * 37) % 256) }
        let image = RGBAImage(width: 7, height: 5, pixels: pixels)
        let path = temporaryPath("layer.png")
        try PNG.write(image, to: path)
        XCTAssertEqual(try PNG.readRGBA(path), image)
        XCTAssertEqual(try PNG.read(path), image.overWhite(), "RGB reads composite alpha over white")
    }

    func testTruncatedJPEGAndOtherFilesAreNamed() throws {
        let image = RGBImage(width: 32, height: 32, fill: (200, 10, 10))
        let data = try JPEG.encode(image)
        let truncated = temporaryPath("cut.jpg")
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try ImageFile.readRGB(truncated)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot read image '\(truncated)': corrupt JPEG"), "\(error)")
        }
        let text = temporaryPath("notes.jpg")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        XCTAssertThrowsError(try ImageFile.readRGB(text)) { XCTAssertTrue("\($0)".contains("not a PNG or JPEG file"), "\($0)") }
        let empty = temporaryPath("empty.png")
        try Data().write(to: URL(fileURLWithPath: empty))
        XCTAssertThrowsError(try ImageFile.readRGB(empty)) { XCTAssertTrue("\($0)".contains("empty"), "\($0)") }
    }

    /// A tiny file whose header claims a huge picture is refused before anything is allocated.
    func testPixelLimitIsCheckedFromTheHeader() throws {
        let huge = RGBImage(width: 1, height: 1)
        var data = try PNG.encode(huge)
        // IHDR width and height are bytes 16…23: claim 100000 × 100000.
        for (offset, value) in [(16, UInt32(100_000)), (20, UInt32(100_000))] {
            for k in 0..<4 { data[offset + k] = UInt8((value >> (24 - 8 * UInt32(k))) & 0xFF) }
        }
        // A CRC to match (bytes 12…28 are IHDR's type and body), or libpng refuses the chunk first.
        data.replaceSubrange(29..<33, with: IndependentPNGWriter.bigEndian(IndependentPNGWriter.crc32(Array(data[12..<29]))))
        let path = temporaryPath("huge.png")
        try data.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ImageFile.readRGB(path)) { error in
            XCTAssertTrue("\(error)".contains("100000×100000 pixels, above the limit"), "\(error)")
        }
        let small = temporaryPath("small.jpg")
        try JPEG.write(RGBImage(width: 30, height: 20), to: small)
        XCTAssertThrowsError(try ImageFile.readRGB(small, maxPixels: 100)) { XCTAssertTrue("\($0)".contains("30×20"), "\($0)") }
    }
}
