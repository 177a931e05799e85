import XCTest
import Geometry

final class MeshTests: XCTestCase {
    func testMeshHoldsItsParts() {
        let mesh = Mesh(vertices: [.zero, [1, 0, 0], [0, 1, 0]], triangles: [[0, 1, 2]])
        XCTAssertEqual(mesh.triangles.count, 1)
        XCTAssertNil(mesh.colours)
    }

    func testColouringSamplesEachVertexClampedAndRoundedToEightBits() {
        let mesh = Mesh(vertices: [[0, 0, 0], [1, 0, 0], [0, 1, 0]], triangles: [[0, 1, 2]])
        // Colour = (x, 2y − 0.5, 0.5): green goes below 0 and above 1, testing the clamp.
        let coloured = mesh.coloured { SIMD3($0.x, $0.y * 2 - 0.5, 0.5) }
        // 0.5·255 = 127.5 rounds half to even → 128; −0.5 clamps to 0; 1.5 clamps to 255.
        XCTAssertEqual(coloured.colours, [[0, 0, 128], [255, 0, 128], [0, 255, 128]])
        XCTAssertEqual(coloured.vertices, mesh.vertices)
        XCTAssertEqual(coloured.triangles, mesh.triangles)
    }
}
