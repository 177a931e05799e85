import Geometry
import MLXCore
import NN
import XCTest
@testable import TextTo3D

final class FieldMeshTests: XCTestCase {
    /// A voxel field holding an analytic ball of density exports a closed mesh of the ball's size.
    func testBallFieldGivesClosedMeshOfTheRightRadius() throws {
        var settings = VoxelGridField.Settings()
        settings.resolution = 33
        settings.blob = DensityBlob(density: 0, radius: 1)
        let field = try VoxelGridField(settings: settings, featureChannels: 4, bound: 1, key: Random.key(0))
        // Raw density 40·(0.6 − |p|): softplus crosses 10 just inside radius 0.35.
        let side = settings.resolution
        var rows: [Float] = []
        for x in 0..<side { for y in 0..<side { for z in 0..<side {
            let p = [x, y, z].map { Float($0) / Float(side - 1) * 2 - 1 }
            let r = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).squareRoot()
            rows += [40 * (0.6 - r), 1, 0, 0, 0]
        } } }
        field.grid.table.value = try MLXArray(rows, shape: [side * side * side, 5])
        let colours = LatentColourMap(coefficients: [[200, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [10, 20, 30]])
        let mesh = try FieldMesh.extract(field, resolution: 48, threshold: 10, colours: colours)
        XCTAssertFalse(mesh.triangles.isEmpty)
        assertClosedAndOriented(mesh)
        // softplus(40(0.6 − r)) = 10 at r = 0.6 − softplus⁻¹(10)/40 ≈ 0.35.
        let expected = 0.6 - Float(log(exp(10.0) - 1)) / 40
        for v in mesh.vertices {
            XCTAssertEqual((v * v).sum().squareRoot(), expected, accuracy: 0.03)
        }
        XCTAssertEqual(mesh.colours?.first, SIMD3(210, 20, 30))
    }

    /// The hash-grid backbone (the default) also gives a closed, consistently oriented mesh inside
    /// the field's bounds: its MLP's output on top of the density blob must not leave holes where
    /// the marching cells meet. The bug guarded against: a mesh export that only works for the voxel grid.
    func testHashGridFieldGivesClosedMesh() throws {
        var settings = HashGridField.Settings()
        settings.levels = 4
        settings.log2TableSize = 12
        settings.finestResolution = 32
        settings.hiddenWidth = 16
        settings.blob = DensityBlob(density: 12, radius: 0.6)
        let field = try HashGridField(settings: settings, featureChannels: 4, bound: 1, key: Random.key(4))
        let colours = LatentColourMap(coefficients: [[200, 0, 0], [0, 200, 0], [0, 0, 200], [0, 0, 0], [10, 20, 30]])
        let mesh = try FieldMesh.extract(field, resolution: 40, threshold: 5, colours: colours)
        XCTAssertGreaterThan(mesh.triangles.count, 100)
        assertClosedAndOriented(mesh)
        for v in mesh.vertices { XCTAssertLessThanOrEqual(max(Swift.abs(v.x), Swift.abs(v.y), Swift.abs(v.z)), 1 + 1e-5) }
        XCTAssertEqual(mesh.colours?.count, mesh.vertices.count, "a colour per vertex")
    }

    /// Every directed edge appears once and its reverse once: closed and consistently oriented.
    private func assertClosedAndOriented(_ mesh: Mesh, file: StaticString = #filePath, line: UInt = #line) {
        var directed: [Int64: Int] = [:]
        for t in mesh.triangles {
            for (a, b) in [(t.x, t.y), (t.y, t.z), (t.z, t.x)] { directed[Int64(a) << 32 | Int64(b), default: 0] += 1 }
        }
        for (edge, count) in directed {
            XCTAssertEqual(count, 1, file: file, line: line)
            XCTAssertEqual(directed[(edge & 0xFFFF_FFFF) << 32 | (edge >> 32)], 1, "edge without its reverse", file: file, line: line)
        }
    }
}
