import Foundation
import MLXCore
import XCTest
@testable import ImageIO

/// PNG files are checked by an independent decoder: CPython's zlib and struct (the standard library),
/// which verify chunk CRCs and inflate the scanlines.
final class PNGTests: XCTestCase {
    private func decodeWithPython(_ path: String) throws -> String {
        let script = """
            import struct, sys, zlib
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
            pos, idat = 8, b''
            while pos < len(data):
                (n,), kind = struct.unpack('>I', data[pos:pos+4]), data[pos+4:pos+8]
                body = data[pos+8:pos+8+n]
                assert zlib.crc32(kind + body) == struct.unpack('>I', data[pos+8+n:pos+12+n])[0], kind
                if kind == b'IHDR': w, h, depth, colour = struct.unpack('>IIBB', body[:10])
                if kind == b'IDAT': idat += body
                pos += 12 + n
            raw = zlib.decompress(idat)
            rows = [raw[r*(w*3+1):(r+1)*(w*3+1)] for r in range(h)]
            assert all(row[0] == 0 for row in rows)
            print(w, h, depth, colour, ','.join(str(b) for row in rows for b in row[1:]))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testWrittenPNGDecodesToTheSamePixels() throws {
        let pixels: [UInt8] = (0..<(3 * 2 * 3)).map { UInt8(($0 * 37) % 256) }
        let image = RGBImage(width: 3, height: 2, pixels: pixels)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("png-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNG.write(image, to: path)
        XCTAssertEqual(try decodeWithPython(path), "3 2 8 2 " + pixels.map(String.init).joined(separator: ","))
    }

    func testArrayConversionMapsMinusOneToZeroAndOneTo255() throws {
        let array = try MLXArray([-1, 0, 1, -2, 2, 0.5] as [Float], shape: [1, 2, 3])
        let image = try RGBImage(array)
        // (v + 1) · 127.5, rounded half to even, clipped to [0, 255].
        XCTAssertEqual(image.pixels, [0, 128, 255, 0, 255, 191])
    }

    func testGridPlacesImagesRowByRow() {
        let red = RGBImage(width: 1, height: 1, fill: (255, 0, 0))
        let blue = RGBImage(width: 1, height: 1, fill: (0, 0, 255))
        let grid = imageGrid([red, blue, blue], columns: 2, spacing: 1, background: (9, 9, 9))
        XCTAssertEqual(grid.width, 3)
        XCTAssertEqual(grid.height, 3)
        XCTAssertTrue(grid[0, 0] == (255, 0, 0))
        XCTAssertTrue(grid[2, 0] == (0, 0, 255))
        XCTAssertTrue(grid[0, 2] == (0, 0, 255))
        XCTAssertTrue(grid[1, 1] == (9, 9, 9))
        XCTAssertTrue(grid[2, 2] == (9, 9, 9))
    }
}

/// PNG reading: our own files round-trip; files from CPython's encoder with every row filter decode.
final class PNGDecodingTests: XCTestCase {
    func testRoundTripOfWrittenFile() throws {
        let image = RGBImage(width: 5, height: 3, pixels: (0..<45).map { UInt8(($0 * 53) % 256) })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNG.write(image, to: path)
        XCTAssertEqual(try PNG.read(path), image)
    }

    func testFiltersAndAlphaFromAnIndependentEncoder() throws {
        // CPython writes RGBA rows with filters 0–4 (row y uses filter y % 5) and alpha 255 except one pixel.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("py-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
            import struct, sys, zlib
            w, h = 4, 5
            px = [[((x * 40 + y * 13) % 256, (x * 7 + y * 60) % 256, (x * y * 9) % 256, 255) for x in range(w)] for y in range(h)]
            px[2][1] = (10, 20, 30, 0)
            def paeth(a, b, c):
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                return a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            raw = b''
            prev = [0] * (w * 4)
            for y in range(h):
                row = [v for p in px[y] for v in p]
                f = y % 5
                out = []
                for i, v in enumerate(row):
                    a = row[i - 4] if i >= 4 else 0; b = prev[i]; c = prev[i - 4] if i >= 4 else 0
                    pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][f]
                    out.append((v - pred) % 256)
                raw += bytes([f] + out); prev = row
            def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
            open(sys.argv[1], 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 6, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let image = try PNG.read(path)
        XCTAssertEqual(image.width, 4)
        XCTAssertTrue(image[3, 4] == (UInt8((3 * 40 + 4 * 13) % 256), UInt8((3 * 7 + 4 * 60) % 256), UInt8((3 * 4 * 9) % 256)))
        XCTAssertTrue(image[1, 2] == (255, 255, 255))  // fully transparent → the white background
    }

    func testNotAPNGNamesTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PNG.read(path)) { XCTAssertTrue("\($0)".contains(path), "\($0)") }
    }
}

final class ImageResizeTests: XCTestCase {
    func testResizeKeepsFlatColoursAndInterpolatesLinearly() {
        let flat = RGBImage(width: 3, height: 2, fill: (10, 200, 30)).resized(width: 7, height: 5)
        XCTAssertEqual(flat.width, 7)
        XCTAssertTrue(stride(from: 0, to: flat.pixels.count, by: 3).allSatisfy { flat.pixels[$0] == 10 && flat.pixels[$0 + 1] == 200 })
        // Two pixels 0 and 200 upscaled ×2: centres at 0.25 and 0.75 of the way → 0, 50, 150, 200.
        let ramp = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 200, 200, 200]).resized(width: 4, height: 1)
        XCTAssertEqual(stride(from: 0, to: 12, by: 3).map { ramp.pixels[$0] }, [0, 50, 150, 200])
    }
}
