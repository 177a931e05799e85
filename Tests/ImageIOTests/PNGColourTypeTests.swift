import Foundation
import XCTest
@testable import ImageIO

/// Every PNG colour type, written by an independent encoder (CPython's zlib and struct), and the
/// error path of every kind that is broken: one message naming the file and libpng's reason. The
/// bugs guarded against: grey or grey+alpha rows read with RGB's stride, alpha not composited on
/// white, a broken file decoded as garbage instead of refused.
final class PNGColourTypeTests: XCTestCase {
    /// Writes a 3×2 PNG with CPython: `colour` type, `depth` bits, `interlace`, row filter
    /// `rowFilter`, and `corrupt` ("zlib": IDAT that does not inflate, "truncated": cut in IDAT).
    private func writePNG(colour: Int, depth: Int = 8, interlace: Int = 0, rowFilter: Int = 0, corrupt: String = "") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("colour-\(colour)-\(UUID().uuidString).png").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let script = """
            import struct, sys, zlib
            colour, depth, interlace, filt, corrupt = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
            w, h = 3, 2
            channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
            def pixel(x, y):
                grey = 40 + 70 * x + 20 * y
                return {0: [grey], 2: [grey, 255 - grey, 7 * x], 3: [x], 4: [grey, 255 if x != 1 else 0],
                        6: [grey, 10, 200, 255 if y == 0 else 128]}[colour]
            raw = b''
            for y in range(h):
                row = [v for x in range(w) for v in pixel(x, y)]
                if depth == 16: row = [b for v in row for b in (v, 0)]
                raw += bytes([filt] + row)
            def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
            idat = zlib.compress(raw) if corrupt != 'zlib' else b'\\x78\\x9c' + bytes(range(40))
            body = chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, colour, 0, 0, interlace))
            if colour == 3: body += chunk(b'PLTE', bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]))
            body += chunk(b'IDAT', idat) + chunk(b'IEND', b'')
            data = b'\\x89PNG\\r\\n\\x1a\\n' + body
            if corrupt == 'truncated': data = data[:50]
            open(sys.argv[1], 'wb').write(data)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path, "\(colour)", "\(depth)", "\(interlace)", "\(rowFilter)", corrupt.isEmpty ? "-" : corrupt]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return path
    }

    func testGreyGreyAlphaRGBAndRGBAReadAsRGB() throws {
        let grey = try PNG.read(try writePNG(colour: 0))
        XCTAssertTrue(grey[2, 1] == (200, 200, 200), "grey: \(grey[2, 1])")
        let greyAlpha = try PNG.read(try writePNG(colour: 4))
        XCTAssertTrue(greyAlpha[0, 1] == (60, 60, 60))
        XCTAssertTrue(greyAlpha[1, 0] == (255, 255, 255), "transparent → the white background")
        let rgb = try PNG.read(try writePNG(colour: 2))
        XCTAssertTrue(rgb[2, 1] == (200, 55, 14), "rgb: \(rgb[2, 1])")
        let rgba = try PNG.read(try writePNG(colour: 6))
        XCTAssertTrue(rgba[1, 0] == (110, 10, 200))
        // Half-transparent over white: 255 + (v − 255)·128/255, rounded.
        let expected: [Int] = [130, 10, 200].map { (value: Int) -> Int in
            let blended: Double = 255 + (Double(value) - 255) * 128 / 255
            return Int(blended.rounded())
        }
        let pixel = rgba[1, 1]
        let found: [Int] = [Int(pixel.0), Int(pixel.1), Int(pixel.2)]
        XCTAssertEqual(found, expected, accuracy: 1)
    }

    // Palettes and 16 bits were refused before libpng decoded PNGs (issue #15); now they read.
    func testPaletteAndSixteenBitRGBReadAsRGB() throws {
        let palette = try PNG.read(try writePNG(colour: 3))
        XCTAssertTrue(palette[0, 1] == (255, 0, 0) && palette[1, 0] == (0, 255, 0) && palette[2, 1] == (0, 0, 255))
        // Samples v·256 at 16 bits → round(v·256·255/65535) = round(v·256/257).
        let deep = try PNG.read(try writePNG(colour: 2, depth: 16))
        XCTAssertTrue(deep[2, 1] == (199, 55, 14), "16-bit: \(deep[2, 1])")
    }

    func testBrokenFilesNameFileAndReason() throws {
        // The reasons are libpng's (zlib's for the inflate error). Interlace is covered by
        // PNGLibpngDecodingTests: this encoder writes no Adam7 passes.
        let cases: [(String, String)] = [
            (try writePNG(colour: 2, rowFilter: 7), "bad adaptive filter value"),
            (try writePNG(colour: 2, corrupt: "zlib"), "IDAT: invalid stored block lengths"),
            (try writePNG(colour: 2, corrupt: "truncated"), "truncated"),
        ]
        for (path, reason) in cases {
            XCTAssertThrowsError(try PNG.read(path)) { error in
                XCTAssertTrue("\(error)".contains(path) && "\(error)".contains(reason), "\(reason): \(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
    }
}

private func XCTAssertEqual(_ a: [Int], _ b: [Int], accuracy: Int, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertLessThanOrEqual(abs(x - y), accuracy, "\(a) vs \(b)", file: file, line: line) }
}
