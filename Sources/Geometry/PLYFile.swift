import Foundation
import ImageIO
import MLXCore

extension Mesh {
    /// Binary little-endian PLY: float x, y, z (and uchar red, green, blue when the mesh has
    /// colours) per vertex, then each triangle as a `uchar` count 3 and three `int` indices.
    public func plyData() throws -> Data {
        try validateForExport()
        var header = """
            ply
            format binary_little_endian 1.0
            comment written by LatentPrior
            element vertex \(vertices.count)
            property float x
            property float y
            property float z

            """
        if colours != nil {
            header += "property uchar red\nproperty uchar green\nproperty uchar blue\n"
        }
        header += "element face \(triangles.count)\nproperty list uchar int vertex_indices\nend_header\n"

        var bytes = [UInt8](header.utf8)
        let vertexSize = 12 + (colours == nil ? 0 : 3)
        bytes.reserveCapacity(bytes.count + vertices.count * vertexSize + triangles.count * 13)
        for (index, vertex) in vertices.enumerated() {
            for lane in 0..<3 { bytes.appendLittleEndian(vertex[lane].bitPattern) }
            if let colour = colours?[index] { bytes += [colour.x, colour.y, colour.z] }
        }
        for triangle in triangles {
            bytes.append(3)
            for lane in 0..<3 { bytes.appendLittleEndian(UInt32(bitPattern: triangle[lane])) }
        }
        return Data(bytes)
    }

    /// Writes `plyData()` to `path` atomically.
    public func writePLY(to path: String) throws {
        try writeAtomically(plyData(), to: path)
    }
}

private extension [UInt8] {
    mutating func appendLittleEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)])
    }
}
