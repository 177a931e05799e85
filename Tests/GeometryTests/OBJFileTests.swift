import Foundation
import Geometry
import XCTest

final class OBJFileTests: XCTestCase {
    /// A minimal OBJ reader written from the format description: `v` lines with 3 or 6 numbers,
    /// `f` lines with three 1-based indices; comments skipped.
    func parseOBJ(_ text: String) throws -> Mesh {
        var vertices: [SIMD3<Float>] = []
        var colours: [SIMD3<UInt8>] = []
        var triangles: [SIMD3<Int32>] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            switch fields.first {
            case "v":
                let numbers = try fields.dropFirst().map { try XCTUnwrap(Float(String($0))) }
                XCTAssertTrue(numbers.count == 3 || numbers.count == 6, "\(line)")
                vertices.append(SIMD3(numbers[0], numbers[1], numbers[2]))
                if numbers.count == 6 {
                    colours.append(SIMD3((0..<3).map { UInt8((numbers[3 + $0] * 255).rounded()) }))
                }
            case "f":
                let indices = try fields.dropFirst().map { try XCTUnwrap(Int32(String($0))) - 1 }
                XCTAssertEqual(indices.count, 3)
                triangles.append(SIMD3(indices))
            default:
                XCTFail("unexpected OBJ line \(line)")
            }
        }
        return Mesh(vertices: vertices, triangles: triangles, colours: colours.isEmpty ? nil : colours)
    }

    func testColouredMeshRoundTripsThroughTheFile() throws {
        let path = try temporaryPath(named: "mesh.obj")
        try colouredTetrahedron.writeOBJ(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(try parseOBJ(text), colouredTetrahedron)
        XCTAssertTrue(text.contains("\nv 1.5 -0.1 2e-07 0.0 1.0 0.0\n"), "colours as 0…1 floats after xyz")
        XCTAssertTrue(text.contains("\nf 1 3 2\n"), "1-based indices in the stored order")
    }

    func testUncolouredMeshWritesThreeNumbersPerVertex() throws {
        var mesh = colouredTetrahedron
        mesh.colours = nil
        let text = try mesh.objText()
        XCTAssertEqual(try parseOBJ(text), mesh)
        XCTAssertTrue(text.contains("\nv 0.0 0.0 0.0\n"))
    }

    func testColourCountNotMatchingTheVerticesIsRejectedAndNothingIsWritten() throws {
        var mesh = colouredTetrahedron
        mesh.colours?.removeLast()
        let path = try temporaryPath(named: "bad.obj")
        XCTAssertThrowsError(try mesh.writeOBJ(to: path)) { error in
            XCTAssertEqual(error as? MeshFileError, .colourCountMismatch(vertices: 4, colours: 3))
            XCTAssertTrue("\(error)".contains("4 vertices but 3 vertex colours"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testTriangleIndexOutOfRangeIsRejected() {
        var mesh = colouredTetrahedron
        mesh.triangles[2] = [1, 4, 3]
        XCTAssertThrowsError(try mesh.objText()) { error in
            XCTAssertEqual(error as? MeshFileError, .vertexIndexOutOfRange(triangle: 2, index: 4, vertices: 4))
        }
    }
}
