import XCTest
import Geometry

/// Samples exactly at the level: the box |p|∞ ≤ 0.5 from the field 0.5 − max(|x|, |y|, |z|) on a
/// grid with spacing 0.25, so each face of the box lies on a layer of samples valued exactly 0.
final class IsoSurfaceTieTests: XCTestCase {
    func box() throws -> Mesh {
        let grid = try SamplingGrid(resolution: 9, lower: [-1, -1, -1], upper: [1, 1, 1])
        return try extractIsoSurface(grid: grid, level: 0) { 0.5 - maxNorm($0) }
    }

    func testSurfaceThroughSamplesIsClosedWithoutDuplicates() throws {
        let mesh = try box()
        XCTAssertEqual(closednessViolations(mesh).count, 0)
        XCTAssertEqual(eulerCharacteristic(mesh), 2)
        XCTAssertEqual(duplicatePositionCount(mesh), 0)
    }

    func testSurfaceThroughSamplesHasItsVerticesOnTheSamples() throws {
        let mesh = try box()
        // Every crossing edge runs from a strictly inside sample to one on a face layer, so every
        // vertex snaps to a face sample: none is interpolated off the faces.
        for vertex in mesh.vertices {
            XCTAssertEqual(maxNorm(vertex), 0.5)
            XCTAssertEqual(vertex * 4, (vertex * 4).rounded(.toNearestOrEven))
        }
    }

    func testSurfaceThroughSamplesIsTheBoxChamferedWhereTheSplitHasNoDiagonal() throws {
        // Grid edges step by d ∈ {0, 1}³, so a face sample is joined to a strictly inside one
        // only if moving inward changes no coordinate in opposite directions. The six box corners
        // with mixed signs and the box edges where two mixed faces meet (|x − y| etc. reaching 1)
        // are therefore cut by the planes |x − y|, |y − z|, |x − z| ≤ 0.75. Vertices: the
        // 5³ − 3³ = 98 face samples less those 6 corners and the 6 · 3 samples inside the cut edges.
        // Volume: 1 − 6 prisms (triangle with legs 1/4, length 1: 1/32) + 6 corner overlaps
        // (∫₀^¼ (¼ − u)² du = 1/192) = 27/32.
        let mesh = try box()
        XCTAssertEqual(mesh.vertices.count, 98 - 6 - 18)
        XCTAssertEqual(enclosedVolume(mesh), 27.0 / 32.0, accuracy: 1e-6)
    }
}
