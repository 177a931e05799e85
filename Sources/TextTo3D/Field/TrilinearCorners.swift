import MLXCore

/// The 8 lattice vertices around each point and their trilinear weights, for several lattice
/// resolutions at once. Points arrive normalised to [0, 1]³; a level of resolution n has n cells
/// (n + 1 vertices) per axis. NeRF sample positions are fixed inputs, so the weights carry no
/// gradient: the gradient flows only into the table rows a lookup gathers.
struct TrilinearCorners {
    /// Integer vertex coordinates, [N, L, 8, 3] uint32.
    let vertices: MLXArray
    /// Interpolation weights, [N, L, 8], summing to 1 over the 8 corners.
    let weights: MLXArray

    /// The corners of the unit cell in a fixed order (x slowest).
    static let cornerOffsets: [Float] = (0..<8).flatMap { (corner: Int) -> [Float] in
        let bits: [Int] = [(corner >> 2) & 1, (corner >> 1) & 1, corner & 1]
        return bits.map { Float($0) }
    }

    /// `points` [N, 3] in [0, 1]³; `resolutions` the cells per axis of each level.
    init(points: MLXArray, resolutions: [Int]) throws {
        let levels = resolutions.count
        let cells = try MLXArray(resolutions.map { Float($0) }, shape: [1, levels, 1])
        let scaled = try stopGradient(points).expandedDimensions(axis: 1) * cells      // [N, L, 3]
        // The last cell also holds points on the upper face (x = 1), so every point has a full cell.
        let base = try minimum(maximum(floor(scaled), try MLXArray(Float(0))), cells - 1)
        let fraction = try (scaled - base).expandedDimensions(axis: 2)                  // [N, L, 1, 3]
        let offsets = try MLXArray(Self.cornerOffsets, shape: [1, 1, 8, 3])
        vertices = try (base.expandedDimensions(axis: 2) + offsets).asType(.uint32)
        weights = try (offsets * fraction + (1 - offsets) * (1 - fraction)).product(axes: [-1])
    }
}
