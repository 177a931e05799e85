import MLXCore
import NN

/// Learnable features on one or more lattices, read by trilinear interpolation: the multi-resolution
/// hash encoding of Instant-NGP (Müller et al. 2022) and, with a single dense level, SJC's voxel grid.
///
/// Level l has `resolutions[l]` cells per axis. Its features live in rows
/// [l·T, (l+1)·T) of one table [L·T, F]. A level whose (n+1)³ vertices fit in T rows is indexed
/// densely (x·(n+1)² + y·(n+1) + z, no collisions); finer levels hash the vertex,
/// (x · 1) ⊕ (y · 2654435761) ⊕ (z · 805459861) mod T with T a power of two, as Instant-NGP does,
/// and let the gradient settle collisions.
final class FeatureGrid: Module {
    let table: Parameter
    let resolutions: [Int]
    let rowsPerLevel: Int
    let featuresPerLevel: Int

    /// `rowsPerLevel` must be a power of two when any level is hashed.
    init(resolutions: [Int], rowsPerLevel: Int, featuresPerLevel: Int, initialValues: MLXArray) throws {
        guard !resolutions.isEmpty, resolutions.allSatisfy({ $0 >= 1 }) else {
            throw FieldError.invalidSetting("grid resolutions must be positive, got \(resolutions)")
        }
        let hashed = resolutions.contains { Self.vertexCount($0) > rowsPerLevel }
        guard rowsPerLevel > 0, !hashed || rowsPerLevel & (rowsPerLevel - 1) == 0 else {
            throw FieldError.invalidSetting("a hashed grid needs a power-of-two table size, got \(rowsPerLevel)")
        }
        guard initialValues.shape == [resolutions.count * rowsPerLevel, featuresPerLevel] else {
            throw FieldError.invalidSetting("grid table must be [\(resolutions.count * rowsPerLevel), \(featuresPerLevel)], got \(initialValues.shape)")
        }
        self.resolutions = resolutions
        self.rowsPerLevel = rowsPerLevel
        self.featuresPerLevel = featuresPerLevel
        table = Parameter(initialValues)
    }

    static func vertexCount(_ resolution: Int) -> Int { (resolution + 1) * (resolution + 1) * (resolution + 1) }

    var outputDimensions: Int { resolutions.count * featuresPerLevel }

    /// Interpolated features of `points` [N, 3] in [0, 1]³: [N, L·F], levels side by side.
    func callAsFunction(_ points: MLXArray) throws -> MLXArray {
        let count = points.dim(0), levels = resolutions.count
        let corners = try TrilinearCorners(points: points, resolutions: resolutions)
        let rows = try tableRows(corners.vertices)                                   // [N, L, 8]
        let gathered = try table.value.take(rows.flattened(), axis: 0)
            .reshaped([count, levels, 8, featuresPerLevel])
        let features = try (gathered * corners.weights.expandedDimensions(axis: -1)).sum(axis: 2)
        return try features.reshaped([count, levels * featuresPerLevel])
    }

    /// Table row of every corner vertex [N, L, 8, 3] → [N, L, 8] (int32, level offsets included).
    private func tableRows(_ vertices: MLXArray) throws -> MLXArray {
        let axes = try vertices.split(parts: 3, axis: -1).map { try $0.squeezed(axes: [-1]) }
        let levels = resolutions.count
        let side = try MLXArray(resolutions.map { UInt32($0 + 1) }, shape: [1, levels, 1])
        let dense = try (axes[0] * side + axes[1]) * side + axes[2]
        var rows = dense
        if resolutions.contains(where: { Self.vertexCount($0) > rowsPerLevel }) {
            let primes = [UInt32(1), 2_654_435_761, 805_459_861].map { try? MLXArray([$0], shape: [1]) }
            let hash = try bitwiseXor(bitwiseXor(axes[0] * primes[0]!, axes[1] * primes[1]!), axes[2] * primes[2]!)
            let wrapped = try bitwiseAnd(hash, MLXArray([UInt32(rowsPerLevel - 1)], shape: [1]))
            let isHashed = try MLXArray(resolutions.map { Self.vertexCount($0) > rowsPerLevel }, shape: [1, levels, 1])
            rows = try which(isHashed, wrapped, dense)
        }
        let levelStart = try MLXArray((0..<levels).map { Int32($0 * rowsPerLevel) }, shape: [1, levels, 1])
        return try rows.asType(.int32) + levelStart
    }
}
