/// Marching tetrahedra over a sampled scalar field: the triangle mesh of { p : field(p) = level }.
///
/// Triangles are wound counter-clockwise seen from the side of lower values, so for a density
/// field (high inside) the normals point outward. A sample counts as above the level only when
/// strictly greater; vertices lie on grid edges by linear interpolation and are shared between
/// cells, so away from the box boundary the mesh is closed and has no duplicate vertices. A sample
/// exactly at the level becomes a single vertex at that sample, and the triangles that collapse
/// onto it (repeated vertex index) are dropped — removing such a triangle removes an edge and its
/// reverse together, so the mesh stays closed.
public func extractIsoSurface(values: [Float], grid: SamplingGrid, level: Float) throws -> Mesh {
    guard values.count == grid.sampleCount else {
        throw IsoSurfaceError.valueCountMismatch(expected: grid.sampleCount, actual: values.count, resolution: grid.resolution)
    }
    guard level.isFinite else { throw IsoSurfaceError.nonFiniteLevel(level) }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw IsoSurfaceError.nonFiniteValue(index: bad, value: values[bad])
    }
    var marcher = TetrahedraMarcher(values: values, grid: grid, level: level)
    return marcher.run()
}

/// Samples `field` on `grid`, then extracts its `level` surface.
public func extractIsoSurface(
    grid: SamplingGrid, level: Float, field: (SIMD3<Float>) throws -> Float
) throws -> Mesh {
    try extractIsoSurface(values: grid.sample(field), grid: grid, level: level)
}

/// The loop over cubes and their tetrahedra, holding the mesh under construction.
private struct TetrahedraMarcher {
    let values: [Float]
    let grid: SamplingGrid
    let level: Float
    /// Index offset from a cube's corner 0 to each of its corners, by corner code.
    let cornerOffsets: [Int]
    var cache: SurfaceVertexCache
    var vertices: [SIMD3<Float>] = []
    var triangles: [SIMD3<Int32>] = []

    init(values: [Float], grid: SamplingGrid, level: Float) {
        self.values = values
        self.grid = grid
        self.level = level
        let (ny, nz) = (grid.resolution.y, grid.resolution.z)
        cornerOffsets = (0..<8).map { code in
            let corner = FreudenthalSplit.cornerPosition(code)
            return corner.x * ny * nz + corner.y * nz + corner.z
        }
        cache = SurfaceVertexCache(resolution: grid.resolution)
    }

    mutating func run() -> Mesh {
        let resolution = grid.resolution
        for x in 0..<(resolution.x - 1) {
            cache.beginCubeLayer(x)
            for y in 0..<(resolution.y - 1) {
                for z in 0..<(resolution.z - 1) {
                    march(cube: SIMD3(x, y, z))
                }
            }
        }
        return Mesh(vertices: vertices, triangles: triangles)
    }

    private mutating func march(cube origin: SIMD3<Int>) {
        let base = grid.index(origin.x, origin.y, origin.z)
        var cubeMask = 0
        for code in 0..<8 where values[base + cornerOffsets[code]] > level { cubeMask |= 1 << code }
        // Most cubes are wholly on one side; skip them before touching the tetrahedra.
        if cubeMask == 0 || cubeMask == 0xFF { return }
        for (tetrahedron, corners) in FreudenthalSplit.tetrahedra.enumerated() {
            var mask = 0
            for (i, code) in corners.enumerated() where cubeMask & (1 << code) != 0 { mask |= 1 << i }
            for triangle in FreudenthalSplit.triangles[tetrahedron * 16 + mask] {
                let a = vertex(on: triangle.edges.0, cube: origin)
                let b = vertex(on: triangle.edges.1, cube: origin)
                let c = vertex(on: triangle.edges.2, cube: origin)
                if a == b || b == c || a == c { continue }
                triangles.append(SIMD3(a, b, c))
            }
        }
    }

    /// The vertex where the level crosses the grid edge, created on first use.
    private mutating func vertex(on edge: FreudenthalSplit.CubeEdge, cube origin: SIMD3<Int>) -> Int32 {
        let start = origin &+ FreudenthalSplit.cornerPosition(edge.start)
        let end = start &+ FreudenthalSplit.cornerPosition(edge.direction)
        let startValue = values[grid.index(start.x, start.y, start.z)]
        let endValue = values[grid.index(end.x, end.y, end.z)]
        let (abovePoint, aboveValue, belowPoint, belowValue) = startValue > level
            ? (start, startValue, end, endValue) : (end, endValue, start, startValue)
        let (keyPoint, keyDirection) = belowValue == level ? (belowPoint, 0) : (start, edge.direction)
        if let shared = cache.vertex(point: keyPoint, direction: keyDirection) { return shared }
        let position: SIMD3<Float>
        if belowValue == level {
            position = grid.position(belowPoint)
        } else {
            // belowValue < level < aboveValue, so 0 < t < 1 and the denominator is positive.
            let t = (level - belowValue) / (aboveValue - belowValue)
            let below = grid.position(belowPoint)
            position = below + (grid.position(abovePoint) - below) * t
        }
        vertices.append(position)
        let index = Int32(vertices.count - 1)
        cache.store(index, point: keyPoint, direction: keyDirection)
        return index
    }
}

private extension SamplingGrid {
    func position(_ point: SIMD3<Int>) -> SIMD3<Float> { position(point.x, point.y, point.z) }
}
