import XCTest
import Geometry

/// meshoptimizer's simplification as text-to-3D uses it. The bugs guarded against: holes torn in a
/// closed surface, the shape moved, colours separated from their vertices, unused vertices kept.
final class MeshSimplificationTests: XCTestCase {
    private func colouredSphere() throws -> Mesh {
        let grid = try SamplingGrid(resolution: SIMD3(repeating: 48), lower: [-1, -1, -1], upper: [1, 1, 1])
        var mesh = try extractIsoSurface(grid: grid, level: 0) { 1 - length($0) / 0.6 }
        // Colour = position: a vertex's colour tells where it was.
        mesh.colours = mesh.vertices.map { v in SIMD3(UInt8((v.x + 1) * 127.5), UInt8((v.y + 1) * 127.5), UInt8((v.z + 1) * 127.5)) }
        return mesh
    }

    func testSimplifiedSphereStaysClosedOnTheSphereWithItsColours() throws {
        let sphere = try colouredSphere()
        XCTAssertGreaterThan(sphere.triangles.count, 10_000)
        let small = sphere.simplified(targetTriangles: 2000)
        XCTAssertLessThanOrEqual(small.triangles.count, 2000)
        XCTAssertGreaterThan(small.triangles.count, 1000)
        XCTAssertEqual(closednessViolations(small).count, 0, "closed and consistently oriented")
        XCTAssertEqual(eulerCharacteristic(small), 2)
        XCTAssertEqual(enclosedVolume(small), enclosedVolume(sphere), accuracy: 0.03 * enclosedVolume(sphere))
        XCTAssertEqual(small.colours?.count, small.vertices.count)
        let used = Set(small.triangles.flatMap { [$0.x, $0.y, $0.z] })
        XCTAssertEqual(used.count, small.vertices.count, "no unused vertices")
        for (vertex, colour) in zip(small.vertices, small.colours!) {
            XCTAssertEqual(length(vertex), 0.6, accuracy: 0.02)
            let expected = SIMD3<Float>((vertex.x + 1) * 127.5, (vertex.y + 1) * 127.5, (vertex.z + 1) * 127.5)
            XCTAssertLessThanOrEqual(abs(Float(colour.x) - expected.x), 1.01, "the colour travelled with its vertex")
        }
    }

    func testSmallMeshIsLeftAlone() throws {
        XCTAssertEqual(colouredTetrahedron.simplified(targetTriangles: 10), colouredTetrahedron)
    }
}
