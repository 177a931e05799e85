import Foundation
import Geometry
import XCTest

final class PLYFileTests: XCTestCase {
    /// A minimal binary PLY reader written from the format description: ASCII header up to
    /// `end_header\n`, then fixed-size little-endian vertex records and `uchar`-counted faces,
    /// read by byte offset. It checks the header declares exactly the layout it then reads.
    func parsePLY(_ data: Data) throws -> Mesh {
        let bytes = [UInt8](data)
        let marker = Array("end_header\n".utf8)
        let headerEnd = try XCTUnwrap((0...(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker })
        let header = String(decoding: bytes[..<headerEnd], as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("comment") }
        let hasColours = header.contains("property uchar red")
        var expected = ["ply", "format binary_little_endian 1.0"]
        let vertexLine = try XCTUnwrap(header.first { $0.hasPrefix("element vertex ") })
        let faceLine = try XCTUnwrap(header.first { $0.hasPrefix("element face ") })
        let vertexCount = try XCTUnwrap(Int(vertexLine.split(separator: " ")[2]))
        let faceCount = try XCTUnwrap(Int(faceLine.split(separator: " ")[2]))
        expected += [String(vertexLine), "property float x", "property float y", "property float z"]
        if hasColours { expected += ["property uchar red", "property uchar green", "property uchar blue"] }
        expected += [String(faceLine), "property list uchar int vertex_indices"]
        XCTAssertEqual(header.map(String.init), expected)

        func uint32(at offset: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
        }
        var offset = headerEnd + marker.count
        var vertices: [SIMD3<Float>] = []
        var colours: [SIMD3<UInt8>] = []
        for _ in 0..<vertexCount {
            vertices.append(SIMD3((0..<3).map { Float(bitPattern: uint32(at: offset + 4 * $0)) }))
            offset += 12
            if hasColours {
                colours.append(SIMD3(bytes[offset], bytes[offset + 1], bytes[offset + 2]))
                offset += 3
            }
        }
        var triangles: [SIMD3<Int32>] = []
        for _ in 0..<faceCount {
            XCTAssertEqual(bytes[offset], 3, "each face lists three vertices")
            triangles.append(SIMD3((0..<3).map { Int32(bitPattern: uint32(at: offset + 1 + 4 * $0)) }))
            offset += 13
        }
        XCTAssertEqual(offset, bytes.count, "no bytes after the last face")
        return Mesh(vertices: vertices, triangles: triangles, colours: hasColours ? colours : nil)
    }

    func testColouredMeshRoundTripsThroughTheFile() throws {
        let path = try temporaryPath(named: "mesh.ply")
        try colouredTetrahedron.writePLY(to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(try parsePLY(data), colouredTetrahedron)
    }

    func testUncolouredMeshHasNoColourProperties() throws {
        var mesh = colouredTetrahedron
        mesh.colours = nil
        let data = try mesh.plyData()
        XCTAssertFalse(String(decoding: data.prefix(300), as: UTF8.self).contains("red"))
        XCTAssertEqual(try parsePLY(data), mesh)
    }

    func testExtractedSurfaceRoundTrips() throws {
        let grid = try SamplingGrid(resolution: 12, lower: [-1, -1, -1], upper: [1, 1, 1])
        let sphere = try extractIsoSurface(grid: grid, level: 0) { 0.7 - length($0) }
        let coloured = sphere.coloured { ($0 + 1) / 2 }
        XCTAssertEqual(try parsePLY(coloured.plyData()), coloured)
    }

    func testColourCountNotMatchingTheVerticesIsRejectedAndNothingIsWritten() throws {
        var mesh = colouredTetrahedron
        mesh.colours?.append([1, 2, 3])
        let path = try temporaryPath(named: "bad.ply")
        XCTAssertThrowsError(try mesh.writePLY(to: path)) { error in
            XCTAssertEqual(error as? MeshFileError, .colourCountMismatch(vertices: 4, colours: 5))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
