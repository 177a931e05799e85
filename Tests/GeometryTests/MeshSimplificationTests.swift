import XCTest
import Geometry

/// Simplification as text-to-3D uses it (default error bound). The bugs guarded against: holes torn
/// in a closed surface, the shape moved, colours separated from their vertices, unused vertices kept.
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
            // Merged vertices take the colour interpolated along the collapsed edge, off their own
            // position's colour by their offset from that edge (~0.001 here, × 127.5) plus the
            // input's truncation to bytes (< 1) and rounding (0.5); measured 1.5.
            let expected = SIMD3<Float>((vertex.x + 1) * 127.5, (vertex.y + 1) * 127.5, (vertex.z + 1) * 127.5)
            let difference = SIMD3<Float>(colour) - expected
            XCTAssertLessThanOrEqual(max(abs(difference.x), abs(difference.y), abs(difference.z)), 2.5, "the colour travelled with its vertex")
        }
    }

    func testSmallMeshIsLeftAlone() throws {
        XCTAssertEqual(colouredTetrahedron.simplified(targetTriangles: 10), colouredTetrahedron)
    }
}

final class MeshComponentTests: XCTestCase {
    /// A sphere and a crumb (a small sphere beside it): the crumb, under 1% of the triangles, goes;
    /// the sphere stays whole, closed, with its colours. The bug guarded against: dropping by
    /// triangle instead of by connected piece (holes in the object) or keeping the crumbs.
    func testSmallPiecesAreDroppedAndTheObjectKept() throws {
        let grid = try SamplingGrid(resolution: SIMD3(repeating: 96), lower: [-1, -1, -1], upper: [1, 1, 1])
        var mesh = try extractIsoSurface(grid: grid, level: 0) { p in
            let big = 1 - length(p - SIMD3(-0.3, 0, 0)) / 0.5
            let crumb = 1 - length(p - SIMD3(0.7, 0.5, 0.5)) / 0.04
            return max(big, crumb)
        }
        mesh.colours = mesh.vertices.map { $0.x > 0.4 ? SIMD3(0, 0, 255) : SIMD3(255, 0, 0) }
        let total = mesh.triangles.count
        let cleaned = mesh.withoutSmallComponents(fraction: 0.01)
        XCTAssertLessThan(cleaned.triangles.count, total, "the crumb is gone")
        XCTAssertGreaterThan(Double(cleaned.triangles.count), 0.97 * Double(total), "the sphere is whole")
        XCTAssertEqual(closednessViolations(cleaned).count, 0)
        XCTAssertEqual(eulerCharacteristic(cleaned), 2, "one sphere")
        XCTAssertTrue(cleaned.colours!.allSatisfy { $0 == SIMD3(255, 0, 0) }, "colours kept with their vertices")
        XCTAssertTrue(cleaned.vertices.allSatisfy { length($0 - SIMD3(-0.3, 0, 0)) < 0.55 })
    }
}

final class NonManifoldEdgeSplitTests: XCTestCase {
    /// Two closed tetrahedra sharing one edge (the pinch simplification leaves on thin parts): four
    /// triangles on that edge. Split, each keeps its own copy of the edge: closed again, two pieces,
    /// positions and colours unchanged. A closed mesh is left as it is.
    func testPinchedEdgeIsPulledApart() {
        let vertices: [SIMD3<Float>] = [[0, 0, 0], [1, 0, 0], [0.5, 1, 0.2], [0.5, 0.3, 1], [0.5, -1, 0.2], [0.5, -0.3, -1]]
        // Tetrahedron A on (0, 1, 2, 3), B on (0, 1, 4, 5): both contain the edge 0–1.
        func tetrahedron(_ a: Int32, _ b: Int32, _ c: Int32, _ d: Int32) -> [SIMD3<Int32>] {
            [SIMD3(a, c, b), SIMD3(a, b, d), SIMD3(b, c, d), SIMD3(a, d, c)]
        }
        let pinched = Mesh(vertices: vertices, triangles: tetrahedron(0, 1, 2, 3) + tetrahedron(0, 1, 4, 5),
                           colours: (0..<6).map { SIMD3(UInt8($0), 0, 0) })
        // Orient both outward (volume > 0), whatever the vertex order above gives.
        let oriented = Mesh(vertices: vertices, triangles: pinched.triangles.enumerated().map { index, t in
            let tetra = index < 4 ? [0, 1, 2, 3] : [0, 1, 4, 5]
            let centre = tetra.map { vertices[$0] }.reduce(SIMD3<Float>(repeating: 0), +) / 4
            let (a, b, c) = (vertices[Int(t.x)], vertices[Int(t.y)], vertices[Int(t.z)])
            let (u, v) = (b - a, c - a)
            let n = SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
            return (n * (a - centre)).sum() > 0 ? t : SIMD3(t.x, t.z, t.y)
        }, colours: pinched.colours)
        XCTAssertFalse(oriented.isClosedAndOriented, "four triangles on edge 0–1")
        let split = oriented.splittingNonManifoldEdges()
        XCTAssertTrue(split.isClosedAndOriented)
        XCTAssertEqual(closednessViolations(split).count, 0)
        XCTAssertEqual(split.vertices.count, 8, "edge 0–1 copied once")
        for (index, triangle) in split.triangles.enumerated() {
            for lane in 0..<3 {
                let original = Int(oriented.triangles[index][lane])
                XCTAssertEqual(split.vertices[Int(triangle[lane])], vertices[original])
                XCTAssertEqual(split.colours?[Int(triangle[lane])], oriented.colours?[original])
            }
        }
        XCTAssertEqual(colouredTetrahedron.splittingNonManifoldEdges(), colouredTetrahedron)
    }
}
