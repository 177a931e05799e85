import Foundation
import XCTest
import Geometry

/// The GLB writer against a reader written here from the glTF 2.0 specification (header, chunks,
/// accessors, buffer views), independent of the writer's code. The bugs guarded against: chunk
/// lengths or padding off (viewers refuse the file), bounds missing or wrong, attributes pointing
/// at the wrong bytes, colours or indices scrambled.
final class GLBFileTests: XCTestCase {
    private struct Parsed {
        let json: [String: Any]
        let binary: Data
        func accessor(_ index: Int) throws -> (info: [String: Any], bytes: Data) {
            let accessors = try XCTUnwrap(json["accessors"] as? [[String: Any]])
            let info = accessors[index]
            let views = try XCTUnwrap(json["bufferViews"] as? [[String: Any]])
            let view = views[try XCTUnwrap(info["bufferView"] as? Int)]
            let offset = try XCTUnwrap(view["byteOffset"] as? Int), length = try XCTUnwrap(view["byteLength"] as? Int)
            XCTAssertEqual(offset % 4, 0, "4-byte aligned")
            return (info, binary.subdata(in: offset..<(offset + length)))
        }
    }

    private func uint32(_ data: Data, _ offset: Int) -> UInt32 {
        data.subdata(in: offset..<(offset + 4)).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian
    }

    private func parse(_ data: Data) throws -> Parsed {
        XCTAssertEqual(uint32(data, 0), 0x4654_6C67, "magic glTF")
        XCTAssertEqual(uint32(data, 4), 2)
        XCTAssertEqual(Int(uint32(data, 8)), data.count, "header length = file length")
        let jsonLength = Int(uint32(data, 12))
        XCTAssertEqual(uint32(data, 16), 0x4E4F_534A)
        XCTAssertEqual(jsonLength % 4, 0)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data.subdata(in: 20..<(20 + jsonLength))) as? [String: Any])
        let binaryHeader = 20 + jsonLength
        let binaryLength = Int(uint32(data, binaryHeader))
        XCTAssertEqual(uint32(data, binaryHeader + 4), 0x004E_4942)
        XCTAssertEqual(binaryHeader + 8 + binaryLength, data.count)
        let buffers = try XCTUnwrap(json["buffers"] as? [[String: Any]])
        XCTAssertEqual(buffers.first?["byteLength"] as? Int, binaryLength)
        return Parsed(json: json, binary: data.subdata(in: (binaryHeader + 8)..<data.count))
    }

    func testTetrahedronReadsBack() throws {
        let mesh = colouredTetrahedron
        let parsed = try parse(try mesh.glbData())
        XCTAssertEqual((parsed.json["asset"] as? [String: Any])?["version"] as? String, "2.0")
        let primitive = try XCTUnwrap(((parsed.json["meshes"] as? [[String: Any]])?.first?["primitives"] as? [[String: Any]])?.first)
        XCTAssertEqual(primitive["mode"] as? Int, 4, "triangles")
        let attributes = try XCTUnwrap(primitive["attributes"] as? [String: Int])

        let position = try parsed.accessor(try XCTUnwrap(attributes["POSITION"]))
        XCTAssertEqual(position.info["componentType"] as? Int, 5126)
        XCTAssertEqual(position.info["count"] as? Int, 4)
        let floats = position.bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(floats, mesh.vertices.flatMap { [$0.x, $0.y, $0.z] }, "positions bit for bit")
        XCTAssertEqual((position.info["min"] as? [Double])?.map(Float.init), [-1e6, -0.1, -4])
        XCTAssertEqual((position.info["max"] as? [Double])?.map(Float.init), [1.5, 1, 1])

        let colour = try parsed.accessor(try XCTUnwrap(attributes["COLOR_0"]))
        XCTAssertEqual(colour.info["componentType"] as? Int, 5121)
        XCTAssertEqual(colour.info["normalized"] as? Bool, true)
        XCTAssertEqual(Array(colour.bytes), mesh.colours!.flatMap { [$0.x, $0.y, $0.z, 255] })

        let normal = try parsed.accessor(try XCTUnwrap(attributes["NORMAL"]))
        let normals = normal.bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        for index in 0..<4 {
            let n = SIMD3(normals[3 * index], normals[3 * index + 1], normals[3 * index + 2])
            XCTAssertEqual((n * n).sum(), 1, accuracy: 1e-5, "unit normals")
        }

        let indices = try parsed.accessor(try XCTUnwrap(primitive["indices"] as? Int))
        XCTAssertEqual(indices.info["componentType"] as? Int, 5125)
        let values = indices.bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
        XCTAssertEqual(values.map(Int32.init), mesh.triangles.flatMap { [$0.x, $0.y, $0.z] })
    }

    /// Outward normals on a closed sphere: each vertex normal points away from the centre.
    func testSphereNormalsPointOutward() throws {
        let grid = try SamplingGrid(resolution: SIMD3(repeating: 16), lower: [-1, -1, -1], upper: [1, 1, 1])
        let sphere = try extractIsoSurface(grid: grid, level: 0) { 1 - length($0) / 0.6 }
        for (vertex, normal) in zip(sphere.vertices, sphere.vertexNormals()) {
            XCTAssertGreaterThan((vertex / length(vertex) * normal).sum(), 0.9)
        }
    }

    func testBadMeshIsRefusedBeforeWriting() throws {
        var bad = colouredTetrahedron
        bad.triangles.append([0, 1, 9])
        let path = try temporaryPath(named: "bad.glb")
        XCTAssertThrowsError(try bad.writeGLB(to: path)) { XCTAssertTrue("\($0)".contains("vertex 9"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
