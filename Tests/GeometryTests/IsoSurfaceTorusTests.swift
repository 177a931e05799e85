import XCTest
import Geometry

/// A torus around the z axis (major radius 0.5, tube radius 0.2), positive inside the tube.
final class IsoSurfaceTorusTests: XCTestCase {
    let majorRadius: Float = 0.5
    let tubeRadius: Float = 0.2

    func torus() throws -> Mesh {
        let grid = try SamplingGrid(resolution: 64, lower: [-1, -1, -1], upper: [1, 1, 1])
        return try extractIsoSurface(grid: grid, level: 0) { [majorRadius, tubeRadius] p in
            let fromAxis = (p.x * p.x + p.y * p.y).squareRoot() - majorRadius
            return tubeRadius - (fromAxis * fromAxis + p.z * p.z).squareRoot()
        }
    }

    func testTorusIsClosedWithEulerCharacteristicZero() throws {
        let mesh = try torus()
        XCTAssertEqual(closednessViolations(mesh).count, 0)
        XCTAssertEqual(eulerCharacteristic(mesh), 0)
    }

    func testTorusVolumeMatchesPappus() throws {
        // Pappus: 2π·R·πr². The chord error L²/(8r) with L = √3·2/63 is 0.0019, ~1% of the tube
        // radius, so the volume (∝ r²) is at most ~2% low.
        let exact = 2 * Double.pi * Double(majorRadius) * Double.pi * pow(Double(tubeRadius), 2)
        XCTAssertEqual(enclosedVolume(try torus()), exact, accuracy: 0.025 * exact)
    }
}
