/// A triangle mesh with optional per-vertex colours: what iso-surface extraction produces and
/// what the OBJ/PLY writers take. Triangles index `vertices` counter-clockwise seen from outside.
public struct Mesh: Equatable, Sendable {
    public var vertices: [SIMD3<Float>]
    public var triangles: [SIMD3<Int32>]
    /// One RGB colour per vertex, or nil.
    public var colours: [SIMD3<UInt8>]?

    public init(vertices: [SIMD3<Float>], triangles: [SIMD3<Int32>], colours: [SIMD3<UInt8>]? = nil) {
        self.vertices = vertices
        self.triangles = triangles
        self.colours = colours
    }
}
