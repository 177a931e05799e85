import XCTest
@testable import ImageIO

final class GIFPaletteTests: XCTestCase {
    /// A render on a white background with far more than 256 colours: median cut alone would give
    /// white its box's mean; the background must stay exactly (255, 255, 255).
    func testFrequentColourIsKeptExactlyAmongManyColours() {
        let size = 96
        var pixels = [UInt8](repeating: 255, count: size * size * 3)
        for y in size / 4..<(3 * size / 4) {
            for x in size / 4..<(3 * size / 4) {
                let offset = (y * size + x) * 3
                pixels[offset] = UInt8(x * 5 % 256)
                pixels[offset + 1] = UInt8(y * 5 % 256)
                pixels[offset + 2] = UInt8((x * y) % 256)
            }
        }
        let frame = RGBImage(width: size, height: size, pixels: pixels)
        var palette = GIFPalette(frames: [frame])
        var distinct = Set<Int>()
        for offset in stride(from: 0, to: pixels.count, by: 3) {
            distinct.insert(Int(pixels[offset]) << 16 | Int(pixels[offset + 1]) << 8 | Int(pixels[offset + 2]))
        }
        XCTAssertGreaterThan(distinct.count, 256, "the median-cut path must be taken")
        XCTAssertEqual(palette.colours[Int(palette.index(255, 255, 255))], SIMD3<UInt8>(255, 255, 255))
        XCTAssertLessThanOrEqual(palette.colours.count, 256)
    }
}
