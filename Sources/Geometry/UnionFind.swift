/// Disjoint sets over 0..<count (union–find with path halving): connected components of a mesh's
/// vertices, or of the triangle corners around one vertex.
struct UnionFind {
    private var parent: [Int]

    init(count: Int) {
        parent = Array(0..<count)
    }

    /// The representative of `item`'s set.
    mutating func root(_ item: Int) -> Int {
        var i = item
        while parent[i] != i {
            parent[i] = parent[parent[i]]
            i = parent[i]
        }
        return i
    }

    /// Joins the sets of `a` and `b` (`a`'s representative stays).
    mutating func join(_ a: Int, _ b: Int) {
        let (ra, rb) = (root(a), root(b))
        if ra != rb { parent[rb] = ra }
    }
}
