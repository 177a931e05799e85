extension Mesh {
    /// Whether every edge is shared by exactly two triangles that run along it in opposite
    /// directions: a closed, consistently oriented surface (what 3D printing, boolean operations
    /// and volume computations need).
    public var isClosedAndOriented: Bool {
        var directed: [SIMD2<Int32>: Int] = [:]
        for triangle in triangles {
            for lane in 0..<3 { directed[SIMD2(triangle[lane], triangle[(lane + 1) % 3]), default: 0] += 1 }
        }
        return !directed.isEmpty && directed.allSatisfy { edge, count in count == 1 && directed[SIMD2(edge.y, edge.x)] == 1 }
    }
}
