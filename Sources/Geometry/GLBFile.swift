import Foundation
import ImageIO
import MLXCore

/// glTF 2.0 binary (.glb), written from the specification (Khronos glTF 2.0, §4.4 "Binary glTF
/// layout"): a 12-byte header, a JSON chunk (padded with spaces to 4 bytes) describing one mesh
/// with one triangle primitive, and a BIN chunk (padded with zeros) holding positions (float
/// VEC3, with the min/max bounds the format requires), area-weighted vertex normals (float VEC3),
/// vertex colours (unsigned byte VEC4, normalised: VEC3 bytes would break the 4-byte alignment
/// vertex attributes need) and 32-bit indices. Hand-written, though Debian has libtinygltf-dev: its
/// saver is C++ over nlohmann::json and a whole in-memory model, so a C++ shim target (with its
/// exception handling) would be larger than this container around arrays we already hold. The
/// files are checked by independent readers: the spec-written parser in GeometryTests and trimesh
/// in scripts/check_glb.py.
extension Mesh {
    public func glbData() throws -> Data {
        try validateForExport()
        var binary = [UInt8]()
        var bufferViews: [[String: Any]] = [], accessors: [[String: Any]] = []
        func add(_ bytes: [UInt8], target: Int, accessor: [String: Any]) {
            while binary.count % 4 != 0 { binary.append(0) }
            bufferViews.append(["buffer": 0, "byteOffset": binary.count, "byteLength": bytes.count, "target": target])
            var entry = accessor
            entry["bufferView"] = bufferViews.count - 1
            accessors.append(entry)
            binary += bytes
        }
        let arrayBuffer = 34962, elementArrayBuffer = 34963, float = 5126, unsignedByte = 5121, unsignedInt = 5125
        var lower = SIMD3<Float>(repeating: .infinity), upper = SIMD3<Float>(repeating: -.infinity)
        for v in vertices {
            lower = pointwiseMin(lower, v)
            upper = pointwiseMax(upper, v)
        }
        if vertices.isEmpty { (lower, upper) = (.zero, .zero) }
        add(Self.floatBytes(vertices), target: arrayBuffer, accessor: [
            "componentType": float, "count": vertices.count, "type": "VEC3",
            "min": [lower.x, lower.y, lower.z].map(Double.init), "max": [upper.x, upper.y, upper.z].map(Double.init),
        ])
        var attributes: [String: Int] = ["POSITION": 0]
        add(Self.floatBytes(vertexNormals()), target: arrayBuffer, accessor: ["componentType": float, "count": vertices.count, "type": "VEC3"])
        attributes["NORMAL"] = 1
        if let colours {
            add(colours.flatMap { [$0.x, $0.y, $0.z, 255] }, target: arrayBuffer,
                accessor: ["componentType": unsignedByte, "normalized": true, "count": colours.count, "type": "VEC4"])
            attributes["COLOR_0"] = accessors.count - 1
        }
        var indexBytes = [UInt8]()
        indexBytes.reserveCapacity(triangles.count * 12)
        for triangle in triangles {
            for lane in 0..<3 { Self.appendLittleEndian(UInt32(bitPattern: triangle[lane]), to: &indexBytes) }
        }
        add(indexBytes, target: elementArrayBuffer, accessor: ["componentType": unsignedInt, "count": triangles.count * 3, "type": "SCALAR"])
        while binary.count % 4 != 0 { binary.append(0) }

        let document: [String: Any] = [
            "asset": ["version": "2.0", "generator": "LatentPrior"],
            "scene": 0, "scenes": [["nodes": [0]]], "nodes": [["mesh": 0]],
            "meshes": [["primitives": [["attributes": attributes, "indices": accessors.count - 1, "mode": 4]]]],
            "accessors": accessors, "bufferViews": bufferViews, "buffers": [["byteLength": binary.count]],
        ]
        var json = [UInt8](try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
        while json.count % 4 != 0 { json.append(0x20) }
        var file = [UInt8]()
        let total = 12 + 8 + json.count + 8 + binary.count
        for value in [0x4654_6C67, 2, UInt32(total)] as [UInt32] { Self.appendLittleEndian(value, to: &file) }  // "glTF", version 2
        Self.appendLittleEndian(UInt32(json.count), to: &file)
        Self.appendLittleEndian(0x4E4F_534A, to: &file)  // "JSON"
        file += json
        Self.appendLittleEndian(UInt32(binary.count), to: &file)
        Self.appendLittleEndian(0x004E_4942, to: &file)  // "BIN\0"
        file += binary
        return Data(file)
    }

    /// Writes `glbData()` to `path` atomically.
    public func writeGLB(to path: String) throws {
        try writeAtomically(glbData(), to: path)
    }

    /// Unit normals: each vertex's incident triangle normals weighted by area (the cross product's
    /// length), so large faces dominate; (0, 0, 1) for a vertex no triangle uses.
    public func vertexNormals() -> [SIMD3<Float>] {
        var sums = [SIMD3<Float>](repeating: .zero, count: vertices.count)
        for triangle in triangles {
            let (a, b, c) = (vertices[Int(triangle.x)], vertices[Int(triangle.y)], vertices[Int(triangle.z)])
            let n = Self.cross(b - a, c - a)
            for lane in 0..<3 { sums[Int(triangle[lane])] += n }
        }
        return sums.map { n in
            let length = (n * n).sum().squareRoot()
            return length > 0 ? n / length : SIMD3(0, 0, 1)
        }
    }

    private static func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
        SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }

    private static func floatBytes(_ values: [SIMD3<Float>]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 12)
        for v in values { for lane in 0..<3 { appendLittleEndian(v[lane].bitPattern, to: &bytes) } }
        return bytes
    }

    private static func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }
}
