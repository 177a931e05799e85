import Foundation
import XCTest
@testable import ImageIO

/// Damaged and hostile PNGs (issue #15) are refused quickly with one line naming the file and the
/// reason: a flipped bit anywhere (libpng checks every chunk's CRC, ancillary ones included), a
/// file cut anywhere, a header claiming more pixels than the limit before anything is allocated.
/// Inputs come from IndependentPNGWriter, so the damage is placed exactly.
final class PNGHostileInputTests: XCTestCase {
    /// A 3×2 RGBA picture with a tEXt chunk before and after the image data.
    private let picture = IndependentPNGWriter.file(
        width: 3, height: 2, depth: 8, colour: .rgba,
        beforeData: [("tEXt", Array("Title\0before".utf8))], afterData: [("tEXt", Array("Comment\0after".utf8))]
    ) { x, y in [x * 80, y * 90, 7, 255 - x] }

    private func write(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).png").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reading `bytes` from a file fails with one line that names the file and contains `reason`.
    private func assertRefused(_ bytes: [UInt8], reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try write(bytes)
        XCTAssertThrowsError(try PNG.readRGBA(path), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path) && text.contains(reason), "expected '\(reason)': \(text)", file: file, line: line)
            XCTAssertFalse(text.contains("\n"), file: file, line: line)
        }
    }

    /// The offset of the first byte of the body of the `occurrence`-th chunk of `type`.
    private func body(of type: String, occurrence: Int = 0) -> Int {
        let name = Array(type.utf8)
        let starts = (0...(picture.count - 4)).filter { Array(picture[$0..<($0 + 4)]) == name }
        return starts[occurrence] + 4
    }

    func testTheUndamagedPictureReads() throws {
        let image = try PNG.readRGBA(try write(picture))
        XCTAssertTrue(image[2, 1] == (160, 90, 7, 253))
    }

    func testABadCRCOfTheImageDataIsAnErrorNamingTheFile() throws {
        // The stored CRC itself damaged: the data inflate and pass zlib's Adler-32, only the CRC
        // can tell. (A flipped data byte is caught earlier, by the Adler-32: "incorrect data check".)
        var damaged = picture
        damaged[body(of: "IDAT") + 37] ^= 0x01  // the body is 37 bytes: zlib 2, block 5, rows 26, Adler 4
        try assertRefused(damaged, reason: "IDAT: CRC error")
        var dataByte = picture
        dataByte[body(of: "IDAT") + 30] ^= 0x40
        try assertRefused(dataByte, reason: "IDAT: incorrect data check")
    }

    func testABadCRCInAnAncillaryChunkIsAnErrorBeforeOrAfterTheImageData() throws {
        // libpng's default would warn and drop the chunk; we refuse the file.
        for occurrence in [0, 1] {
            var damaged = picture
            damaged[body(of: "tEXt", occurrence: occurrence) + 2] ^= 0x01
            try assertRefused(damaged, reason: "tEXt: CRC error")
        }
    }

    func testEverySingleBitFlipIsRefused() {
        // CRC-32 detects every single-bit error; a flip in a length or the signature fails
        // otherwise. No flip may decode, crash or hang.
        for bit in 0..<(picture.count * 8) {
            var damaged = picture
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            XCTAssertThrowsError(try PNG.decodeRGBA(Data(damaged)), "bit \(bit) of byte \(bit / 8)")
        }
    }

    func testEveryTruncationIsRefused() throws {
        // Cut inside the image data: named as truncated; cut anywhere: refused (IEND included).
        try assertRefused(Array(picture[..<(body(of: "IDAT") + 10)]), reason: "the file is truncated")
        for length in 0..<picture.count {
            XCTAssertThrowsError(try PNG.decodeRGBA(Data(picture[..<length])), "first \(length) bytes")
        }
    }

    func testImageDataShortOfTheHeaderIsRefused() throws {
        // A complete zlib stream with one row of a two-row picture.
        let oneRow = IndependentPNGWriter.zlibStored([0, 1, 2, 3])
        try assertRefused(IndependentPNGWriter.file(width: 3, height: 2, depth: 8, colour: .grey, chunks: [("IDAT", oneRow)]),
                          reason: "Not enough image data")
    }

    func testLargestHeaderPNGAllowsIsRefusedByThePixelLimitBeforeAllocation() throws {
        // (2³¹−1)² pixels: multiplying by 4 bytes would overflow; the limit answers from the header.
        let side = Int(Int32.max)
        let start = Date()
        let file = IndependentPNGWriter.file(width: side, height: side, depth: 8, colour: .rgba,
                                             chunks: [("IDAT", IndependentPNGWriter.zlibStored([0, 1, 2, 3, 4]))])
        try assertRefused(file, reason: "image is \(side)×\(side) pixels, above the limit of \(ImageLimits.defaultMaxPixels) pixels")
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
    }

    func testA74ByteFileClaiming65536SquarePixelsIsRefused() throws {
        // 8 signature + 25 IHDR + 12 + 17 IDAT + 12 IEND = 74 bytes, for 2³² pixels (16 GiB as RGBA).
        let start = Date()
        let file = IndependentPNGWriter.file(width: 65536, height: 65536, depth: 8, colour: .rgba,
                                             chunks: [("IDAT", IndependentPNGWriter.zlibStored([0, 0, 0, 0, 0, 0]))])
        XCTAssertEqual(file.count, 74)
        try assertRefused(file, reason: "image is 65536×65536 pixels, above the limit")
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
    }

    func testASmallerLimitIsHonoured() throws {
        XCTAssertThrowsError(try PNG.decodeRGBA(Data(picture), maxPixels: 5)) { error in
            XCTAssertTrue("\(error)".contains("3×2 pixels, above the limit of 5 pixels"), "\(error)")
        }
        XCTAssertNoThrow(try PNG.decodeRGBA(Data(picture), maxPixels: 6))
    }

    func testAWidthBeyondPNGsRangeIsRefusedByLibpng() throws {
        let file = IndependentPNGWriter.file(width: 1 << 31, height: 1, depth: 8, colour: .rgb, chunks: [])
        try assertRefused(file, reason: "PNG unsigned integer out of range")
    }
}
