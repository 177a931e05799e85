extension Mesh {
    /// The mesh without its small pieces: connected components (triangles joined by shared
    /// vertices) with fewer than `fraction` of all triangles are dropped — the floaters and crumbs
    /// an optimised density field leaves around the object. Unused vertices are removed too.
    public func withoutSmallComponents(fraction: Double) -> Mesh {
        guard !triangles.isEmpty else { return self }
        let roots = componentRoots(vertexCount: vertices.count, triangles: triangles)
        var sizes: [Int: Int] = [:]
        for triangle in triangles { sizes[roots[Int(triangle.x)], default: 0] += 1 }
        let minimum = Double(triangles.count) * fraction
        let kept = triangles.filter { Double(sizes[roots[Int($0.x)]] ?? 0) >= minimum }
        return Mesh(vertices: vertices, triangles: kept, colours: colours).compacted()
    }
}

/// Each vertex's connected component (triangles joined by shared vertices) as a representative
/// vertex index.
func componentRoots(vertexCount: Int, triangles: [SIMD3<Int32>]) -> [Int] {
    var sets = UnionFind(count: vertexCount)
    for triangle in triangles {
        for lane in 1..<3 { sets.join(Int(triangle.x), Int(triangle[lane])) }
    }
    return (0..<vertexCount).map { sets.root($0) }
}
