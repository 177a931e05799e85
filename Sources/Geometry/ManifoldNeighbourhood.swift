/// What `QuadricSimplifier` needs to know about the input's topology before it starts.
extension QuadricSimplifier {
    /// Whether the triangles at `v` form one disc: going round from a triangle across its edge
    /// v→next to the one triangle that runs next→v, and so on, visits every triangle once and
    /// comes back. Then every edge at v has exactly two triangles, oriented oppositely, and v's
    /// link is a single cycle — what the link condition assumes.
    func hasDiscNeighbourhood(_ v: Int32) -> Bool {
        let around = trianglesAt[Int(v)]
        guard around.count >= 3 else { return false }
        var next: [Int32] = [], previous: [Int32] = []
        for t in around {
            let triangle = triangles[Int(t)]
            // A triangle with a repeated corner has no well-defined fan.
            guard triangle.x != triangle.y, triangle.y != triangle.z, triangle.z != triangle.x else { return false }
            let lane = triangle.x == v ? 0 : triangle.y == v ? 1 : 2
            next.append(triangle[(lane + 1) % 3])
            previous.append(triangle[(lane + 2) % 3])
        }
        var current = 0
        for step in 1...around.count {
            let successors = previous.indices.filter { previous[$0] == next[current] }
            guard successors.count == 1 else { return false }
            current = successors[0]
            if current == 0 { return step == around.count }
        }
        return false
    }

    /// Each vertex's connected component (joined through triangles) and each component's triangle
    /// count, so no collapse takes a surface below a tetrahedron's four triangles.
    func connectedComponents() -> (component: [Int32], triangles: [Int]) {
        let roots = componentRoots(vertexCount: positions.count, triangles: triangles)
        var component = [Int32](repeating: -1, count: positions.count)
        var sizes: [Int] = []
        for v in positions.indices {
            let r = roots[v]
            if component[r] < 0 {
                component[r] = Int32(sizes.count)
                sizes.append(0)
            }
            component[v] = component[r]
        }
        for triangle in triangles { sizes[Int(component[Int(triangle.x)])] += 1 }
        return (component, sizes)
    }
}
