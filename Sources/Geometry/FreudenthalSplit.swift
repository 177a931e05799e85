/// The Kuhn/Freudenthal split of a grid cube into six tetrahedra around its main diagonal, and for
/// each tetrahedron the surface triangles of every above/below pattern of its corners.
///
/// Cube corners are named by a 3-bit code: bit 2 = +x, bit 1 = +y, bit 0 = +z. The tetrahedron for
/// the axis order (a, b, c) is the chain 0 → a → a+b → 7. Every cube is split the same way, so the
/// tetrahedra of neighbouring cubes meet face to face and the surface has no cracks; the edges used
/// are exactly "grid point p to p + d" for the seven nonzero d ∈ {0, 1}³.
enum FreudenthalSplit {
    /// A grid edge seen from a cube: from corner `start` along `direction` (a corner code that
    /// shares no bit with `start`), so it ends at corner `start | direction`.
    struct CubeEdge: Equatable {
        let start: Int
        let direction: Int
    }

    /// A surface triangle as the three cube edges its vertices lie on, wound counter-clockwise
    /// seen from the side of lower values.
    struct EdgeTriangle {
        let edges: (CubeEdge, CubeEdge, CubeEdge)
    }

    /// Corner codes of the six tetrahedra, one per order of the three axes.
    static let tetrahedra: [[Int]] = {
        let axisOrders = [[4, 2, 1], [4, 1, 2], [2, 4, 1], [2, 1, 4], [1, 4, 2], [1, 2, 4]]
        return axisOrders.map { order in [0, order[0], order[0] | order[1], 7] }
    }()

    /// `triangles[tetrahedron * 16 + mask]`, where bit i of `mask` says corner i of the
    /// tetrahedron is above the level.
    static let triangles: [[EdgeTriangle]] = tetrahedra.flatMap { corners in
        (0..<16).map { mask in surfaceTriangles(corners: corners, aboveMask: mask) }
    }

    /// The marching-tetrahedra section: one triangle when a single corner is on its side, a quad
    /// (two triangles) for two against two.
    private static func surfaceTriangles(corners: [Int], aboveMask: Int) -> [EdgeTriangle] {
        let above = (0..<4).filter { aboveMask & (1 << $0) != 0 }.map { corners[$0] }
        let below = (0..<4).filter { aboveMask & (1 << $0) == 0 }.map { corners[$0] }
        let polygon: [(Int, Int)]
        switch (above.count, below.count) {
        case (1, 3): polygon = below.map { (above[0], $0) }
        case (3, 1): polygon = above.map { ($0, below[0]) }
        case (2, 2):
            // Walking a1b1 → a1b2 → a2b2 → a2b1 goes round the quad: consecutive edges share a corner.
            polygon = [(above[0], below[0]), (above[0], below[1]), (above[1], below[1]), (above[1], below[0])]
        default: return []
        }
        let wound = isWoundTowardsLowerValues(polygon, above: above, below: below) ? polygon : polygon.reversed()
        let edges = wound.map(cubeEdge)
        return (1..<(edges.count - 1)).map { EdgeTriangle(edges: (edges[0], edges[$0], edges[$0 + 1])) }
    }

    /// Whether the polygon's normal points from the above corners towards the below ones, i.e. down
    /// the gradient. The winding of a section depends only on which corners are above, not on where
    /// along the edges its vertices fall (the section never degenerates while the split is strict),
    /// so it is decided on the section through the edge midpoints — the level set of the linear
    /// field that is +1 above and −1 below — in exact small-integer geometry. Deciding it on the
    /// interpolated triangle instead would fail when that triangle collapses to nearly a point.
    private static func isWoundTowardsLowerValues(_ polygon: [(Int, Int)], above: [Int], below: [Int]) -> Bool {
        let points = polygon.map { cornerPosition($0.0) &+ cornerPosition($0.1) }  // 2 × midpoint
        var vectorArea = SIMD3<Int>.zero
        for i in points.indices {
            vectorArea &+= cross(points[i], points[(i + 1) % points.count])
        }
        // Centroid of below minus centroid of above, scaled by 4·3 so it stays integral for 1–3 corners.
        let belowCentroid = below.map(cornerPosition).reduce(.zero, &+) &* (12 / below.count)
        let aboveCentroid = above.map(cornerPosition).reduce(.zero, &+) &* (12 / above.count)
        let downhill = belowCentroid &- aboveCentroid
        let alignment = (vectorArea &* downhill).wrappedSum()
        precondition(alignment != 0, "a strict tetrahedron section cannot be edge-on to the gradient")
        return alignment > 0
    }

    private static func cubeEdge(_ ends: (Int, Int)) -> CubeEdge {
        // Every pair of corners of a chain tetrahedron is ordered: one code contains the other.
        let (start, end) = ends.0 & ends.1 == ends.0 ? (ends.0, ends.1) : (ends.1, ends.0)
        return CubeEdge(start: start, direction: end ^ start)
    }

    static func cornerPosition(_ code: Int) -> SIMD3<Int> {
        SIMD3((code >> 2) & 1, (code >> 1) & 1, code & 1)
    }

    private static func cross(_ a: SIMD3<Int>, _ b: SIMD3<Int>) -> SIMD3<Int> {
        SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }
}
