import XCTest
import Geometry

/// A sphere of radius 0.6 from the field 1 − |p|/0.6 (positive inside, like a density).
final class IsoSurfaceSphereTests: XCTestCase {
    let radius: Float = 0.6

    func sphere(resolution: SIMD3<Int> = SIMD3(repeating: 32), lower: SIMD3<Float> = [-1, -1, -1],
                upper: SIMD3<Float> = [1, 1, 1]) throws -> Mesh {
        let grid = try SamplingGrid(resolution: resolution, lower: lower, upper: upper)
        return try extractIsoSurface(grid: grid, level: 0) { [radius] in 1 - length($0) / radius }
    }

    func testSphereIsClosedAndConsistentlyOriented() throws {
        let mesh = try sphere()
        XCTAssertGreaterThan(mesh.triangles.count, 1000)
        XCTAssertEqual(closednessViolations(mesh).count, 0)
    }

    func testSphereHasEulerCharacteristicTwo() throws {
        XCTAssertEqual(eulerCharacteristic(try sphere()), 2)
    }

    func testSphereVerticesLieOnTheSphere() throws {
        // Linear interpolation of |p| along an edge of length L errs by at most L²/(8r) (|p| is
        // convex with curvature ≤ 1/r): the longest edge, the cube diagonal √3·2/31, gives 0.0026.
        for vertex in try sphere().vertices {
            XCTAssertEqual(length(vertex), radius, accuracy: 0.004)
        }
    }

    func testSphereVolumeIsPositiveAndCloseToTheClosedForm() throws {
        // Vertices are at most 0.0026 inside the sphere (above), so the volume is at most ~1.5% low.
        let exact = 4.0 / 3.0 * Double.pi * pow(Double(radius), 3)
        let volume = enclosedVolume(try sphere())
        XCTAssertGreaterThan(volume, 0, "positive volume means the normals point outward")
        XCTAssertEqual(volume, exact, accuracy: 0.02 * exact)
    }

    func testEveryTriangleFacesAwayFromTheCentre() throws {
        // The outward normal of the sphere is p/|p|; each triangle is small and near the sphere, so
        // its own normal must agree with the direction to its centroid. Checked per triangle, this
        // covers every tetrahedron/case combination the sphere meets, not just the total.
        let mesh = try sphere()
        var checked = 0
        for triangle in mesh.triangles {
            let normal = areaNormal(of: triangle, in: mesh)
            // Skip slivers whose float normal is rounding noise (none occur at this resolution).
            guard dot(normal, normal).squareRoot() > 1e-9 else { continue }
            let (a, b, c) = corners(of: triangle, in: mesh)
            XCTAssertGreaterThan(dot(normal, a + b + c), 0)
            checked += 1
        }
        XCTAssertEqual(checked, mesh.triangles.count)
    }

    func testSphereVerticesAreSharedNotDuplicated() throws {
        let mesh = try sphere()
        XCTAssertEqual(duplicatePositionCount(mesh), 0)
        XCTAssertEqual(Set(mesh.triangles.flatMap { [$0.x, $0.y, $0.z] }).count, mesh.vertices.count,
                       "every vertex is used by some triangle")
    }

    func testUnevenGridAndOffCentreBoxStillGiveAClosedSphere() throws {
        // Different counts per axis catch mixed-up strides in the x-slowest layout.
        let mesh = try sphere(resolution: [21, 29, 37], lower: [-0.8, -1.1, -0.7], upper: [0.9, 0.7, 1.2])
        XCTAssertEqual(closednessViolations(mesh).count, 0)
        XCTAssertEqual(eulerCharacteristic(mesh), 2)
        let exact = 4.0 / 3.0 * Double.pi * pow(Double(radius), 3)
        XCTAssertEqual(enclosedVolume(mesh), exact, accuracy: 0.03 * exact)
    }
}
