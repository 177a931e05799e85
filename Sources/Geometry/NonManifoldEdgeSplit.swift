import Foundation

extension Mesh {
    /// The mesh with pinched edges pulled apart. Edge-collapse simplification that does not test the
    /// link condition (meshoptimizer's) can pull two sheets of a thin part onto one edge: four
    /// triangles on it, the surface no longer a closed 2-manifold (a text-to-3D cube simplified to
    /// 20k triangles had 41 such edges). `simplified` now tests it and needs no repair; this stays
    /// for meshes from elsewhere.
    ///
    /// Each edge's triangles are paired across it: the triangle running a→b with one running b→a
    /// (on a manifold edge, the only one; on a pinched edge, its neighbour in the rotational order
    /// around the edge on the side where their volume lies). Each vertex's triangles are then
    /// grouped into fans joined by those pairs, and every fan after the first gets its own copy of
    /// the vertex (position and colour). The pairing belongs to the edge, so both of its ends split
    /// the same way, and each pinched edge becomes one edge per sheet with its two triangles.
    public func splittingNonManifoldEdges() -> Mesh {
        var byDirectedEdge: [SIMD2<Int32>: [Int]] = [:]
        for (index, triangle) in triangles.enumerated() {
            for lane in 0..<3 { byDirectedEdge[SIMD2(triangle[lane], triangle[(lane + 1) % 3]), default: []].append(index) }
        }
        guard byDirectedEdge.contains(where: { $0.value.count != 1 || byDirectedEdge[SIMD2($0.key.y, $0.key.x)]?.count != 1 }) else {
            return self
        }
        // partner[(from, to, triangle)] = the triangle paired with it across that edge.
        var partner: [SIMD3<Int32>: Int] = [:]
        for (edge, forward) in byDirectedEdge where edge.x < edge.y {
            guard let backward = byDirectedEdge[SIMD2(edge.y, edge.x)] else { continue }
            if forward.count == 1, backward.count == 1 {
                partner[SIMD3(edge.x, edge.y, Int32(forward[0]))] = backward[0]
                partner[SIMD3(edge.y, edge.x, Int32(backward[0]))] = forward[0]
                continue
            }
            // Around a pinched edge a→b, by the angle of each triangle's third vertex: a triangle
            // running a→b faces towards increasing angle (its volume lies behind, at smaller angles),
            // one running b→a the other way; so a sheet is a b→a triangle followed by the next, a→b.
            let a = vertices[Int(edge.x)], axisVector = vertices[Int(edge.y)] - a
            let axis = axisVector / max((axisVector * axisVector).sum().squareRoot(), .leastNonzeroMagnitude)
            func offset(_ triangle: Int) -> SIMD3<Float> {
                let t = triangles[triangle]
                let third = [t.x, t.y, t.z].first { $0 != edge.x && $0 != edge.y } ?? t.x
                let d = vertices[Int(third)] - a
                return d - axis * (d * axis).sum()
            }
            let reference = offset(forward[0])
            let side = SIMD3(axis.y * reference.z - axis.z * reference.y, axis.z * reference.x - axis.x * reference.z,
                             axis.x * reference.y - axis.y * reference.x)
            let around = (forward.map { ($0, true) } + backward.map { ($0, false) }).map { triangle, isForward -> (Int, Bool, Float) in
                let d = offset(triangle)
                return (triangle, isForward, atan2((side * d).sum(), (reference * d).sum()))
            }.sorted { $0.2 < $1.2 }
            for (k, entry) in around.enumerated() where !entry.1 {
                let next = around[(k + 1) % around.count]
                guard next.1 else { continue }  // not a consistent sheet: leave the edge as it is
                partner[SIMD3(edge.y, edge.x, Int32(entry.0))] = next.0
                partner[SIMD3(edge.x, edge.y, Int32(next.0))] = entry.0
            }
        }

        var corners = [[(triangle: Int, lane: Int)]](repeating: [], count: vertices.count)
        for (index, triangle) in triangles.enumerated() {
            for lane in 0..<3 { corners[Int(triangle[lane])].append((index, lane)) }
        }
        var result = self
        for vertex in vertices.indices where corners[vertex].count > 1 {
            let around = corners[vertex]
            var position: [Int: Int] = [:]
            for (i, corner) in around.enumerated() { position[corner.triangle] = i }
            var fans = UnionFind(count: around.count)
            for (i, corner) in around.enumerated() {
                // Both edges of this triangle at the vertex: vertex→next and previous→vertex.
                let t = triangles[corner.triangle]
                let next = t[(corner.lane + 1) % 3], previous = t[(corner.lane + 2) % 3], v = Int32(vertex)
                for key in [SIMD3(v, next, Int32(corner.triangle)), SIMD3(previous, v, Int32(corner.triangle))] {
                    guard let other = partner[key], let j = position[other] else { continue }
                    fans.join(i, j)
                }
            }
            var copyOfFan: [Int: Int32] = [:]
            let firstFan = fans.root(0)
            for (i, corner) in around.enumerated() {
                let fan = fans.root(i)
                guard fan != firstFan else { continue }
                let copy: Int32
                if let existing = copyOfFan[fan] {
                    copy = existing
                } else {
                    copy = Int32(result.vertices.count)
                    result.vertices.append(vertices[vertex])
                    if let colours { result.colours?.append(colours[vertex]) }
                    copyOfFan[fan] = copy
                }
                result.triangles[corner.triangle][corner.lane] = copy
            }
        }
        return result
    }
}
