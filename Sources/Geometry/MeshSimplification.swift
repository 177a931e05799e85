import CMeshOptimizer

extension Mesh {
    /// At most `targetTriangles` triangles, by meshoptimizer's quadric edge-collapse simplifier
    /// (`meshopt_simplify`: it collapses edges only where the topology stays as it was, so a closed
    /// surface stays closed). Collapses stop early when the next one would move the surface by more
    /// than `maximumError` of the mesh's extent; the result can then keep more triangles than asked.
    /// Vertices no triangle uses any more are dropped; colours stay with their vertices.
    public func simplified(targetTriangles: Int, maximumError: Float = 0.02) -> Mesh {
        guard targetTriangles > 0, triangles.count > targetTriangles else { return self }
        let indices = triangles.flatMap { [UInt32(bitPattern: $0.x), UInt32(bitPattern: $0.y), UInt32(bitPattern: $0.z)] }
        let positions = vertices.flatMap { [$0.x, $0.y, $0.z] }
        var destination = [UInt32](repeating: 0, count: indices.count)
        var resultError: Float = 0
        let count = meshopt_simplify(&destination, indices, indices.count, positions, vertices.count,
                                     MemoryLayout<Float>.stride * 3, targetTriangles * 3, maximumError, 0, &resultError)
        return Mesh(vertices: vertices, triangles: (0..<(count / 3)).map { t in
            SIMD3(Int32(bitPattern: destination[3 * t]), Int32(bitPattern: destination[3 * t + 1]), Int32(bitPattern: destination[3 * t + 2]))
        }, colours: colours).compacted()
    }

    /// The mesh without vertices that no triangle uses (indices renumbered in first-use order).
    public func compacted() -> Mesh {
        var newIndex = [Int32](repeating: -1, count: vertices.count)
        var keptVertices: [SIMD3<Float>] = []
        var keptColours: [SIMD3<UInt8>] = []
        let renumbered = triangles.map { triangle -> SIMD3<Int32> in
            var result = triangle
            for lane in 0..<3 {
                let old = Int(triangle[lane])
                if newIndex[old] < 0 {
                    newIndex[old] = Int32(keptVertices.count)
                    keptVertices.append(vertices[old])
                    if let colours { keptColours.append(colours[old]) }
                }
                result[lane] = newIndex[old]
            }
            return result
        }
        return Mesh(vertices: keptVertices, triangles: renumbered, colours: colours == nil ? nil : keptColours)
    }
}
