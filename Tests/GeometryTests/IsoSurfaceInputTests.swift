import XCTest
import Geometry

final class IsoSurfaceInputTests: XCTestCase {
    let unitBox = (lower: SIMD3<Float>(0, 0, 0), upper: SIMD3<Float>(1, 1, 1))

    func testFieldWhollyAboveOrBelowTheLevelGivesAnEmptyMesh() throws {
        let grid = try SamplingGrid(resolution: 6, lower: unitBox.lower, upper: unitBox.upper)
        for constant: Float in [1, -1, 0] {
            let mesh = try extractIsoSurface(grid: grid, level: 0) { _ in constant }
            XCTAssertEqual(mesh, Mesh(vertices: [], triangles: []), "constant \(constant)")
        }
    }

    func testSamplesAreStoredXSlowestAtTheBoxCorners() throws {
        let grid = try SamplingGrid(resolution: [2, 3, 4], lower: [0, 0, 0], upper: [1, 2, 3])
        let values = grid.sample { 100 * $0.x + 10 * $0.y + $0.z }
        XCTAssertEqual(values.count, 24)
        for x in 0..<2 { for y in 0..<3 { for z in 0..<4 {
            XCTAssertEqual(values[(x * 3 + y) * 4 + z], Float(100 * x + 10 * y + z))
        } } }
        XCTAssertEqual(grid.position(1, 2, 3), grid.upper)
    }

    func testResolutionBelowTwoIsRejected() {
        XCTAssertThrowsError(try SamplingGrid(resolution: [4, 1, 4], lower: unitBox.lower, upper: unitBox.upper)) { error in
            guard case IsoSurfaceError.resolutionTooSmall(let resolution) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(resolution, [4, 1, 4])
            XCTAssertTrue("\(error)".contains("at least 2"))
        }
    }

    func testEmptyBoxIsRejected() {
        XCTAssertThrowsError(try SamplingGrid(resolution: 4, lower: [0, 0, 0], upper: [1, 0, 1]))
    }

    func testValueCountNotMatchingTheResolutionIsRejected() throws {
        let grid = try SamplingGrid(resolution: 4, lower: unitBox.lower, upper: unitBox.upper)
        XCTAssertThrowsError(try extractIsoSurface(values: [Float](repeating: 0, count: 63), grid: grid, level: 0)) { error in
            guard case IsoSurfaceError.valueCountMismatch(let expected, let actual, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(expected, 64)
            XCTAssertEqual(actual, 63)
            XCTAssertTrue("\(error)".contains("63 values"))
        }
    }

    func testNonFiniteValueIsRejected() throws {
        let grid = try SamplingGrid(resolution: 2, lower: unitBox.lower, upper: unitBox.upper)
        var values = [Float](repeating: 0, count: 8)
        values[5] = .nan
        XCTAssertThrowsError(try extractIsoSurface(values: values, grid: grid, level: 0)) { error in
            guard case IsoSurfaceError.nonFiniteValue(let index, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(index, 5)
        }
    }
}
