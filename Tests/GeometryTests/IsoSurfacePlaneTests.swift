import XCTest
import Geometry

/// The field 0.3 − z (or 0.5 − z) on the unit cube with 5 samples per axis (spacing 0.25):
/// its level-0 surface is a flat square whose normal, towards lower values, is +z.
final class IsoSurfacePlaneTests: XCTestCase {
    func plane(at height: Float) throws -> Mesh {
        let grid = try SamplingGrid(resolution: 5, lower: [0, 0, 0], upper: [1, 1, 1])
        return try extractIsoSurface(grid: grid, level: 0) { height - $0.z }
    }

    func testPlaneBetweenSampleLayersGivesFlatUpwardTriangles() throws {
        let mesh = try plane(at: 0.3)
        // Vertices are on the grid edges that cross z = 0.3, i.e. start on the z = 0.25 layer and
        // step +z: 5·5 along (0,0,1), 5·4 along (0,1,1), 4·5 along (1,0,1), 4·4 along (1,1,1).
        XCTAssertEqual(mesh.vertices.count, 25 + 20 + 20 + 16)
        // Each of the 16 crossed cubes has six tetrahedra 0 → a → a+b → 7; the plane cuts off one
        // corner when z comes first or last in the axis order (1 triangle) and two when z is second
        // (a quad, 2 triangles): 2·1 + 2·2 + 2·1 = 8 per cube.
        XCTAssertEqual(mesh.triangles.count, 16 * 8)
        for vertex in mesh.vertices { XCTAssertEqual(vertex.z, 0.3, accuracy: 1e-6) }
        assertTilesTheUnitSquareFacingUp(mesh)
    }

    func testPlaneThroughASampleLayerSnapsToTheSamplesWithoutDuplicates() throws {
        // 0.5 − z is exactly 0 on the z = 0.5 layer: each sample there becomes one vertex, and the
        // triangles that collapse onto them are dropped, leaving the two per cube on its top face.
        let mesh = try plane(at: 0.5)
        XCTAssertEqual(mesh.vertices.count, 25)
        XCTAssertEqual(duplicatePositionCount(mesh), 0)
        XCTAssertEqual(mesh.triangles.count, 16 * 2)
        for vertex in mesh.vertices { XCTAssertEqual(vertex.z, 0.5) }
        assertTilesTheUnitSquareFacingUp(mesh)
    }

    /// Every triangle faces +z with nonzero area and the areas add up to the unit square.
    func assertTilesTheUnitSquareFacingUp(_ mesh: Mesh, file: StaticString = #filePath, line: UInt = #line) {
        var area = 0.0
        for triangle in mesh.triangles {
            let normal = areaNormal(of: triangle, in: mesh)
            XCTAssertGreaterThan(normal.z, 0, file: file, line: line)
            XCTAssertEqual(normal.x, 0, accuracy: 1e-6, file: file, line: line)
            XCTAssertEqual(normal.y, 0, accuracy: 1e-6, file: file, line: line)
            area += normal.z / 2
        }
        XCTAssertEqual(area, 1, accuracy: 1e-5, file: file, line: line)
    }
}
