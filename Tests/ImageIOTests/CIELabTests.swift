import XCTest
@testable import ImageIO

/// sRGB → CIELAB against published values (Bruce Lindbloom's calculator, D65, sRGB companding).
final class CIELabTests: XCTestCase {
    func testKnownColours() {
        let cases: [(SIMD3<Float>, SIMD3<Float>)] = [
            (SIMD3(255, 255, 255), SIMD3(100, 0, 0)),
            (SIMD3(0, 0, 0), SIMD3(0, 0, 0)),
            (SIMD3(255, 0, 0), SIMD3(53.2408, 80.0925, 67.2032)),
            (SIMD3(0, 255, 0), SIMD3(87.7347, -86.1827, 83.1793)),
            (SIMD3(0, 0, 255), SIMD3(32.2970, 79.1875, -107.8602)),
            (SIMD3(128, 128, 128), SIMD3(53.5850, 0, 0)),
        ]
        for (rgb, expected) in cases {
            let lab = CIELab.lab(rgb)
            for lane in 0..<3 { XCTAssertEqual(lab[lane], expected[lane], accuracy: 0.02, "\(rgb)") }
        }
        XCTAssertEqual(CIELab.difference(SIMD3(255, 255, 255), SIMD3(0, 0, 0)), 100, accuracy: 0.01)
    }
}
