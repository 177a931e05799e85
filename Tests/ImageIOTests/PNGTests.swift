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
