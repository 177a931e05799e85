extension Mesh {
    /// At most `targetTriangles` triangles, by quadric-error edge collapse (`QuadricSimplifier`) that
    /// refuses every collapse that would break the surface's manifoldness, so a closed, consistently
    /// oriented surface stays one, with the same topology (Euler characteristic). Collapses stop
    /// early when the next one would move the surface by more than `maximumError` of the mesh's
    /// extent (the bounding box's longest side; meshoptimizer's `target_error` convention); the
    /// result can then keep more triangles than asked. Vertices no triangle uses any more are
    /// dropped; merged vertices take the colour interpolated along the collapsed edge.
    public func simplified(targetTriangles: Int, maximumError: Float = 0.02) -> Mesh {
        guard targetTriangles > 0, triangles.count > targetTriangles, let first = vertices.first else { return self }
        let (lower, upper) = (vertices.reduce(first, pointwiseMin), vertices.reduce(first, pointwiseMax))
        let limit = Double(maximumError) * Double((upper - lower).max())
        var simplifier = QuadricSimplifier(self)
        simplifier.simplify(targetTriangles: targetTriangles, maximumSquaredError: limit * limit)
        return simplifier.mesh()
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
