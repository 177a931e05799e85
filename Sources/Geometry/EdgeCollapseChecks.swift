/// The tests a collapse of edge (a, b) must pass before `QuadricSimplifier` performs it.
extension QuadricSimplifier {
    /// The two triangles on edge (a, b), or nil when the edge is gone (a stale candidate) or
    /// is not shared by exactly two triangles.
    func trianglesOnEdge(_ a: Int32, _ b: Int32) -> (Int32, Int32)? {
        var found: (Int32, Int32) = (-1, -1), count = 0
        for t in trianglesAt[Int(a)] {
            let triangle = triangles[Int(t)]
            guard triangle.x == b || triangle.y == b || triangle.z == b else { continue }
            count += 1
            if count == 1 { found.0 = t } else { found.1 = t }
        }
        return count == 2 ? found : nil
    }

    /// The link condition for a closed triangulated surface (Dey et al. 1999): the vertices adjacent
    /// to both a and b are exactly the two opposite corners c, d of the edge's triangles, and c–d is
    /// not an edge of both links. A third common neighbour x means a–x–b is a loop around a handle
    /// or across a thin part; collapsing would pinch it to an edge a–x with four triangles
    /// (meshoptimizer's failure) or drop the handle. Triangles acd and bcd both present make a lone
    /// tetrahedron (or, beside a non-manifold edge c–d, would fold two triangles onto each other).
    mutating func satisfiesLinkCondition(_ a: Int32, _ b: Int32) -> Bool {
        stamp &+= 1
        for t in trianglesAt[Int(a)] {
            for lane in 0..<3 { mark[Int(triangles[Int(t)][lane])] = stamp }
        }
        var common: (Int32, Int32) = (-1, -1), count = 0
        for t in trianglesAt[Int(b)] {
            for lane in 0..<3 {
                let v = triangles[Int(t)][lane]
                guard v != a, v != b, mark[Int(v)] == stamp else { continue }
                mark[Int(v)] = 0  // each neighbour of b lies on two of its triangles: count it once
                count += 1
                if count == 1 { common.0 = v } else if count == 2 { common.1 = v } else { return false }
            }
        }
        guard count == 2 else { return false }
        return !(hasTriangle(at: a, through: common.0, common.1) && hasTriangle(at: b, through: common.0, common.1))
    }

    private func hasTriangle(at v: Int32, through c: Int32, _ d: Int32) -> Bool {
        trianglesAt[Int(v)].contains { t in
            let triangle = triangles[Int(t)]
            return (triangle.x == c || triangle.y == c || triangle.z == c) && (triangle.x == d || triangle.y == d || triangle.z == d)
        }
    }

    /// Whether moving `v` to `position` leaves each of its triangles (but the two on the collapsing
    /// edge) facing roughly as before: a normal turning by more than ~78° (cosine below 0.2) folds
    /// the surface over itself, and a triangle with (near) zero area has no orientation at all.
    func keepsTrianglesUpright(moving v: Int32, to position: SIMD3<Double>, except edgeTriangles: (Int32, Int32)) -> Bool {
        for t in trianglesAt[Int(v)] where t != edgeTriangles.0 && t != edgeTriangles.1 {
            let triangle = triangles[Int(t)]
            let p0 = positions[Int(triangle.x)], p1 = positions[Int(triangle.y)], p2 = positions[Int(triangle.z)]
            let q0 = triangle.x == v ? position : p0, q1 = triangle.y == v ? position : p1, q2 = triangle.z == v ? position : p2
            let before = crossProduct(p1 - p0, p2 - p0), after = crossProduct(q1 - q0, q2 - q0)
            let afterSquared = (after * after).sum()
            let longestSquared = max(((q1 - q0) * (q1 - q0)).sum(), ((q2 - q1) * (q2 - q1)).sum(), ((q0 - q2) * (q0 - q2)).sum())
            // |after| = (longest edge)² · sin(some angle)·(ratio ≤ 1): a sine of 1e-6 is collinear in Float.
            guard afterSquared > 1e-12 * longestSquared * longestSquared else { return false }
            guard (before * after).sum() >= 0.2 * ((before * before).sum() * afterSquared).squareRoot() else { return false }
        }
        return true
    }
}
