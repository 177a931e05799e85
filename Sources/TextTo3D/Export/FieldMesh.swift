import Geometry
import MLXCore

/// The field's surface as a coloured triangle mesh: density sampled on a resolution³ grid over
/// the scene box, the iso-surface at `threshold` (marching tetrahedra), and vertex colours from
/// the field's latent at each vertex through a latent → RGB map.
public enum FieldMesh {
    public static func extract(_ field: LatentField, resolution: Int, threshold: Float, colours: LatentColourMap) throws -> Mesh {
        let b = field.bound
        let grid = try SamplingGrid(resolution: resolution, lower: SIMD3(repeating: -b), upper: SIMD3(repeating: b))
        var positions: [Float] = []
        positions.reserveCapacity(grid.sampleCount * 3)
        for x in 0..<resolution {
            for y in 0..<resolution {
                for z in 0..<resolution {
                    let p = grid.position(x, y, z)
                    positions += [p.x, p.y, p.z]
                }
            }
        }
        var densities = try smoothedDensities(field, positions: positions, side: resolution)
        // The box's faces are empty space by definition: a surface that reaches them is closed there.
        for x in 0..<resolution {
            for y in 0..<resolution {
                for z in 0..<resolution where [x, y, z].contains(0) || [x, y, z].contains(resolution - 1) {
                    densities[grid.index(x, y, z)] = 0
                }
            }
        }
        var mesh = try extractIsoSurface(values: densities, grid: grid, level: threshold)
        guard !mesh.vertices.isEmpty else { return mesh }
        let vertexPositions = mesh.vertices.flatMap { [$0.x, $0.y, $0.z] }
        let channels = field.featureChannels
        let features = try evaluate(field, positions: vertexPositions) { try $0.features }
        mesh.colours = (0..<mesh.vertices.count).map { colours.colour(Array(features[($0 * channels)..<(($0 + 1) * channels)])) }
        return mesh
    }

    /// The field's density on the grid `positions`, smoothed: a 3-tap box blur along each axis, since a
    /// hash grid's density is speckled at the grid's finest scale, and iso-surfacing the speckle gives
    /// a mesh of crumbs and inner cavities.
    static func smoothedDensities(_ field: LatentField, positions: [Float], side: Int) throws -> [Float] {
        smoothed(try evaluate(field, positions: positions) { try $0.density }, side: side)
    }

    /// A density threshold that would give a surface, for the message when the chosen one found
    /// none: half the 99th percentile of the smoothed densities on a 32³ grid (the densest 1% of the
    /// box is the object's core if there is one), with the largest density seen. Nil when the box is empty.
    public static func suggestedThreshold(_ field: LatentField) throws -> (suggestion: Float, largest: Float)? {
        let side = 32, b = field.bound
        let grid = try SamplingGrid(resolution: side, lower: SIMD3(repeating: -b), upper: SIMD3(repeating: b))
        var positions: [Float] = []
        positions.reserveCapacity(grid.sampleCount * 3)
        for x in 0..<side { for y in 0..<side { for z in 0..<side {
            let p = grid.position(x, y, z)
            positions += [p.x, p.y, p.z]
        } } }
        let sorted = try smoothedDensities(field, positions: positions, side: side).sorted()
        guard let largest = sorted.last, largest > 0 else { return nil }
        return (sorted[sorted.count * 99 / 100] / 2, largest)
    }

    /// `values` on a side³ grid (x slowest) averaged with their two neighbours along each axis in turn.
    static func smoothed(_ values: [Float], side: Int) -> [Float] {
        var current = values
        let strides = [side * side, side, 1]
        for stride in strides {
            var next = current
            for index in 0..<current.count {
                let coordinate = (index / stride) % side
                var sum = current[index], count: Float = 1
                if coordinate > 0 { sum += current[index - stride]; count += 1 }
                if coordinate < side - 1 { sum += current[index + stride]; count += 1 }
                next[index] = sum / count
            }
            current = next
        }
        return current
    }

    /// One output of the field at many points, in chunks so memory stays flat; row-major floats.
    static func evaluate(_ field: LatentField, positions: [Float], chunk: Int = 1 << 16,
                         output: (FieldSample) throws -> MLXArray) throws -> [Float] {
        let count = positions.count / 3
        var result: [Float] = []
        var start = 0
        while start < count {
            let end = min(start + chunk, count)
            let points = try MLXArray(Array(positions[(start * 3)..<(end * 3)]), shape: [end - start, 3])
            result += try output(field.sample(points)).asType(.float32).toArray(Float.self)
            start = end
        }
        return result
    }
}
