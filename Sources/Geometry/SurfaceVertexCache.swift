/// Vertex indices of the surface keyed by where they sit on the grid, so the cells that share a
/// grid edge share its vertex (no duplicates, no cracks).
///
/// A key is a grid point plus a direction code d (see `FreudenthalSplit`): d ≠ 0 is the edge from
/// the point to point + d, d = 0 is the grid point itself (a sample exactly at the level). Cube
/// layer x only touches points in x-slabs x and x + 1, so two slabs of slots suffice: memory grows
/// with ny·nz, not with the whole grid.
struct SurfaceVertexCache {
    private static let unset: Int32 = -1
    private let pointsPerRow: Int
    private let pointsPerSlab: Int
    private var slabSize: Int { pointsPerSlab * 8 }
    private var slots: [Int32]

    init(resolution: SIMD3<Int>) {
        pointsPerRow = resolution.z
        pointsPerSlab = resolution.y * resolution.z
        slots = [Int32](repeating: Self.unset, count: 2 * pointsPerSlab * 8)
    }

    /// Call before cube layer x: slab x + 1 reuses the slots of slab x − 1, which no later cube touches.
    mutating func beginCubeLayer(_ x: Int) {
        let reused = ((x + 1) & 1) * slabSize
        for slot in reused..<(reused + slabSize) { slots[slot] = Self.unset }
    }

    func vertex(point: SIMD3<Int>, direction: Int) -> Int32? {
        let stored = slots[slot(point: point, direction: direction)]
        return stored == Self.unset ? nil : stored
    }

    mutating func store(_ vertex: Int32, point: SIMD3<Int>, direction: Int) {
        slots[slot(point: point, direction: direction)] = vertex
    }

    private func slot(point: SIMD3<Int>, direction: Int) -> Int {
        ((point.x & 1) * pointsPerSlab + point.y * pointsPerRow + point.z) * 8 + direction
    }
}
