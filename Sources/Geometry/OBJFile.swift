import Foundation
import ImageIO
import MLXCore

extension Mesh {
    /// Wavefront OBJ text: `v x y z` per vertex — `v x y z r g b` with colours as 0…1 floats when
    /// the mesh has colours, the vertex-colour extension MeshLab and Blender read — then `f a b c`
    /// per triangle with 1-based indices.
    public func objText() throws -> String {
        try validateForExport()
        var lines = ["# LatentPrior mesh: \(vertices.count) vertices, \(triangles.count) triangles"]
        lines.reserveCapacity(vertices.count + triangles.count + 1)
        for (index, vertex) in vertices.enumerated() {
            var line = "v \(vertex.x) \(vertex.y) \(vertex.z)"
            if let colour = colours?[index] {
                line += " \(Float(colour.x) / 255) \(Float(colour.y) / 255) \(Float(colour.z) / 255)"
            }
            lines.append(line)
        }
        for triangle in triangles {
            lines.append("f \(triangle.x + 1) \(triangle.y + 1) \(triangle.z + 1)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `objText()` to `path` atomically.
    public func writeOBJ(to path: String) throws {
        try writeAtomically(Data(objText().utf8), to: path)
    }
}
