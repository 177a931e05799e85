import Geometry

// Mesh properties computed from first principles, independent of how the mesh was built.

/// How often each directed edge (from, to) occurs going round the triangles.
func directedEdgeCounts(_ mesh: Mesh) -> [SIMD2<Int32>: Int] {
    var counts: [SIMD2<Int32>: Int] = [:]
    for triangle in mesh.triangles {
        for lane in 0..<3 {
            counts[SIMD2(triangle[lane], triangle[(lane + 1) % 3]), default: 0] += 1
        }
    }
    return counts
}

/// Directed edges that break "every edge is used by exactly two triangles, once in each
/// direction" — the condition for a closed, consistently oriented surface. Empty when it holds.
func closednessViolations(_ mesh: Mesh) -> [SIMD2<Int32>] {
    let counts = directedEdgeCounts(mesh)
    return counts.compactMap { edge, count in
        count == 1 && counts[SIMD2(edge.y, edge.x)] == 1 ? nil : edge
    }
}

/// V − E + F over the vertices the triangles use: 2 for a sphere, 0 for a torus.
func eulerCharacteristic(_ mesh: Mesh) -> Int {
    var usedVertices = Set<Int32>()
    var undirectedEdges = Set<SIMD2<Int32>>()
    for triangle in mesh.triangles {
        for lane in 0..<3 {
            let (a, b) = (triangle[lane], triangle[(lane + 1) % 3])
            usedVertices.insert(a)
            undirectedEdges.insert(SIMD2(min(a, b), max(a, b)))
        }
    }
    return usedVertices.count - undirectedEdges.count + mesh.triangles.count
}

/// Volume enclosed by a closed mesh by the divergence theorem: the sum of the signed volumes of
/// the tetrahedra (origin, a, b, c). Positive when the normals point outward.
func enclosedVolume(_ mesh: Mesh) -> Double {
    mesh.triangles.reduce(0.0) { volume, triangle in
        let (a, b, c) = corners(of: triangle, in: mesh)
        return volume + dot(a, cross(b, c)) / 6
    }
}

/// Twice-area normal (b − a) × (c − a) of a triangle, in double precision.
func areaNormal(of triangle: SIMD3<Int32>, in mesh: Mesh) -> SIMD3<Double> {
    let (a, b, c) = corners(of: triangle, in: mesh)
    return cross(b - a, c - a)
}

func duplicatePositionCount(_ mesh: Mesh) -> Int {
    mesh.vertices.count - Set(mesh.vertices).count
}

func corners(of triangle: SIMD3<Int32>, in mesh: Mesh) -> (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
    let points = (0..<3).map { SIMD3<Double>(mesh.vertices[Int(triangle[$0])]) }
    return (points[0], points[1], points[2])
}

func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }

func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

func length(_ p: SIMD3<Float>) -> Float { (p * p).sum().squareRoot() }

func maxNorm(_ p: SIMD3<Float>) -> Float { max(abs(p.x), abs(p.y), abs(p.z)) }

/// Undirected edges with more than two triangles: where two sheets of the surface are pinched
/// together (not a 2-manifold there). Empty for a manifold.
func overfullEdges(_ mesh: Mesh) -> [SIMD2<Int32>] {
    var counts: [SIMD2<Int32>: Int] = [:]
    for triangle in mesh.triangles {
        for lane in 0..<3 {
            let (a, b) = (triangle[lane], triangle[(lane + 1) % 3])
            counts[SIMD2(min(a, b), max(a, b)), default: 0] += 1
        }
    }
    return counts.compactMap { $0.value > 2 ? $0.key : nil }
}
