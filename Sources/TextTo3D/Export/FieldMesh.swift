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
        // A 3-tap box blur along each axis: a hash grid's density is speckled at the grid's finest
        // scale, and iso-surfacing the speckle gives a mesh of crumbs and inner cavities.
        var densities = smoothed(try evaluate(field, positions: positions) { try $0.density }, side: resolution)
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
