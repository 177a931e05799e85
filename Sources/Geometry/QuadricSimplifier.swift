/// Quadric-error-metric edge collapse (Garland and Heckbert, 1997) that keeps a closed,
/// consistently oriented 2-manifold one: a collapse happens only when the edge passes the link
/// condition (Dey et al., "Topology preserving edge contraction", 1999), which
/// meshoptimizer's simplifier does not test — on thin parts it pulls two sheets onto one edge
/// (it pinched even a plain fine sphere: 37 edges with four triangles at 443k → 20k). That is why
/// this is our own code rather than Debian's libmeshoptimizer, which the project used until then.
///
/// Vertices whose neighbourhood is not a disc of manifold edges (an open border, an edge with
/// four triangles, two cones meeting at a point) are never moved or removed, so such input is
/// simplified around them and left no worse than it came.
struct QuadricSimplifier {
    var positions: [SIMD3<Double>]
    /// Kept in floating point while vertices merge; rounded to bytes once at the end.
    var colours: [SIMD3<Float>]?
    var triangles: [SIMD3<Int32>]
    var triangleIsAlive: [Bool]
    /// The live triangles at each vertex.
    var trianglesAt: [[Int32]]
    var quadrics: [Quadric]
    var vertexIsAlive: [Bool]
    var isLocked: [Bool]
    /// Bumped whenever a vertex moves or is removed: heap entries stamped with an older version are stale.
    var versions: [UInt32]
    var component: [Int32]
    var componentTriangles: [Int]
    var liveTriangles: Int
    /// Scratch marks for neighbour sets: `mark[v] == stamp` means "in the set being built".
    var mark: [UInt32]
    var stamp: UInt32 = 0

    init(_ mesh: Mesh) {
        positions = mesh.vertices.map { SIMD3<Double>($0) }
        colours = mesh.colours?.map { SIMD3<Float>($0) }
        triangles = mesh.triangles
        triangleIsAlive = Array(repeating: true, count: triangles.count)
        trianglesAt = Array(repeating: [], count: positions.count)
        for (index, triangle) in triangles.enumerated() {
            for lane in 0..<3 { trianglesAt[Int(triangle[lane])].append(Int32(index)) }
        }
        quadrics = Array(repeating: Quadric(), count: positions.count)
        for triangle in triangles {
            let plane = Quadric(triangle: positions[Int(triangle.x)], positions[Int(triangle.y)], positions[Int(triangle.z)])
            for lane in 0..<3 { quadrics[Int(triangle[lane])] += plane }
        }
        vertexIsAlive = Array(repeating: true, count: positions.count)
        versions = Array(repeating: 0, count: positions.count)
        mark = Array(repeating: 0, count: positions.count)
        liveTriangles = triangles.count
        // Placeholders: the two methods below read self, so every property needs a value first.
        (isLocked, component, componentTriangles) = ([], [], [])
        isLocked = positions.indices.map { !hasDiscNeighbourhood(Int32($0)) }
        (component, componentTriangles) = connectedComponents()
    }

    /// Collapses the cheapest edges until at most `targetTriangles` remain or the next collapse would
    /// cost more than `maximumSquaredError` (mean squared distance to the original planes).
    mutating func simplify(targetTriangles: Int, maximumSquaredError: Double) {
        var heap = EdgeCollapseHeap(initialCandidates())
        // A refused collapse can become allowed when a neighbouring collapse changes the link or the
        // triangles around its edge without touching its two vertices, so no fresh entry is pushed
        // for it; it waits here and is offered again once the heap runs dry or reaches the error limit.
        var refused: [EdgeCollapse] = []
        for _ in 0..<16 {
            var collapses = 0
            while liveTriangles > targetTriangles, let candidate = heap.popCheapest() {
                guard isCurrent(candidate) else { continue }
                guard Double(candidate.cost) <= maximumSquaredError else { break }
                if collapse(candidate.a, candidate.b) {
                    collapses += 1
                    pushEdges(at: candidate.a, into: &heap)
                    // Each collapse leaves ~6 stale entries behind; past twice the live edges
                    // (3/2 per triangle), most pops would only be skipping them.
                    if heap.count > 3 * liveTriangles + 1024 { heap.removeStale(keeping: isCurrent) }
                } else {
                    refused.append(candidate)
                }
            }
            guard liveTriangles > targetTriangles, collapses > 0, !refused.isEmpty else { return }
            for candidate in refused where isCurrent(candidate) { heap.push(candidate) }
            refused.removeAll(keepingCapacity: true)
        }
    }

    /// The simplified mesh, without the vertices collapses removed.
    func mesh() -> Mesh {
        let liveIndices = triangles.indices.filter { triangleIsAlive[$0] }
        return Mesh(vertices: positions.map { SIMD3<Float>($0) }, triangles: liveIndices.map { triangles[$0] },
                    colours: colours?.map { SIMD3<UInt8>(clamping: SIMD3<Int32>($0.rounded(.toNearestOrAwayFromZero))) }
        ).compacted()
    }

    private func isCurrent(_ candidate: EdgeCollapse) -> Bool {
        let (a, b) = (Int(candidate.a), Int(candidate.b))
        return vertexIsAlive[a] && vertexIsAlive[b] && versions[a] == candidate.versionA && versions[b] == candidate.versionB
    }

    /// The heap key: the quadric error plus 10⁻⁶ of the squared edge length. On a flat patch every
    /// collapse costs zero, and without the tie-break the vertex that just absorbed one edge is as
    /// cheap to grow again as any other, so fans of hundreds of slivers form (a box face went to
    /// valence 275 and took 26 s); shortest edges first decimates the patch evenly. Stopping on the
    /// key rather than the error is conservative by at most that term.
    private func candidate(_ a: Int32, _ b: Int32) -> EdgeCollapse {
        let edge = positions[Int(b)] - positions[Int(a)]
        let key = placement(a, b).cost + 1e-6 * (edge * edge).sum()
        return EdgeCollapse(cost: Float(key), a: a, b: b, versionA: versions[Int(a)], versionB: versions[Int(b)])
    }

    /// Every edge between two free vertices once (on a closed oriented surface each edge runs a→b
    /// in one triangle and b→a in the other; only a < b is taken).
    private func initialCandidates() -> [EdgeCollapse] {
        var candidates: [EdgeCollapse] = []
        candidates.reserveCapacity(triangles.count * 3 / 2)
        for triangle in triangles {
            for lane in 0..<3 {
                let (a, b) = (triangle[lane], triangle[(lane + 1) % 3])
                if a < b, !isLocked[Int(a)], !isLocked[Int(b)] { candidates.append(candidate(a, b)) }
            }
        }
        return candidates
    }

    /// Where the merged vertex goes and its error: the quadric's minimiser when the system is well
    /// conditioned and the point stays near the edge, else the best of the two ends and the midpoint.
    func placement(_ a: Int32, _ b: Int32) -> (position: SIMD3<Double>, cost: Double) {
        let quadric = quadrics[Int(a)] + quadrics[Int(b)]
        let (pa, pb) = (positions[Int(a)], positions[Int(b)])
        let midpoint = (pa + pb) / 2
        // Within one edge length of the midpoint: a nearly singular system that passes the
        // determinant test can still put its minimum far off along the weak direction.
        if let optimal = quadric.minimizer(), ((optimal - midpoint) * (optimal - midpoint)).sum() <= ((pb - pa) * (pb - pa)).sum() {
            return (optimal, quadric.error(at: optimal))
        }
        let (ea, eb, em) = (quadric.error(at: pa), quadric.error(at: pb), quadric.error(at: midpoint))
        return em < min(ea, eb) ? (midpoint, em) : eb < ea ? (pb, eb) : (pa, ea)
    }

    /// Merges b into a if that keeps the surface a manifold; false (and nothing changed) if not.
    private mutating func collapse(_ a: Int32, _ b: Int32) -> Bool {
        guard let edgeTriangles = trianglesOnEdge(a, b),
              componentTriangles[Int(component[Int(a)])] - 2 >= 4,
              satisfiesLinkCondition(a, b) else { return false }
        let position = placement(a, b).position
        guard keepsTrianglesUpright(moving: a, to: position, except: edgeTriangles),
              keepsTrianglesUpright(moving: b, to: position, except: edgeTriangles) else { return false }
        let (ia, ib) = (Int(a), Int(b))

        for t in [edgeTriangles.0, edgeTriangles.1] {
            triangleIsAlive[Int(t)] = false
            for lane in 0..<3 {
                let v = triangles[Int(t)][lane]
                if v != a, v != b { trianglesAt[Int(v)].removeAll { $0 == t } }
            }
        }
        trianglesAt[ia].removeAll { $0 == edgeTriangles.0 || $0 == edgeTriangles.1 }
        for t in trianglesAt[ib] where t != edgeTriangles.0 && t != edgeTriangles.1 {
            // Replacing b by a in place keeps the triangle's winding, so orientation is kept.
            for lane in 0..<3 where triangles[Int(t)][lane] == b { triangles[Int(t)][lane] = a }
            trianglesAt[ia].append(t)
        }
        trianglesAt[ib] = []

        if colours != nil {
            // Colour interpolated where the new position projects onto the edge: the surface between
            // a and b was coloured between their colours, so this is what it showed there.
            let edge = positions[ib] - positions[ia]
            let lengthSquared = (edge * edge).sum()
            let t = lengthSquared > 0 ? min(max(((position - positions[ia]) * edge).sum() / lengthSquared, 0), 1) : 0
            colours![ia] += Float(t) * (colours![ib] - colours![ia])
        }
        positions[ia] = position
        quadrics[ia] += quadrics[ib]
        vertexIsAlive[ib] = false
        versions[ia] &+= 1
        versions[ib] &+= 1
        liveTriangles -= 2
        componentTriangles[Int(component[ia])] -= 2
        return true
    }

    /// Fresh candidates for every edge at `a`, after it moved.
    private mutating func pushEdges(at a: Int32, into heap: inout EdgeCollapseHeap) {
        stamp &+= 1
        for t in trianglesAt[Int(a)] {
            for lane in 0..<3 {
                let v = triangles[Int(t)][lane]
                guard v != a, mark[Int(v)] != stamp else { continue }
                mark[Int(v)] = stamp
                if !isLocked[Int(v)] { heap.push(candidate(a, v)) }
            }
        }
    }
}
