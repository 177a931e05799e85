/// A regular grid of samples spanning the box `lower...upper`, corners included: sample (x, y, z)
/// lies at lower + (upper − lower)·(x, y, z)/(resolution − 1) and is stored at index
/// (x·ny + y)·nz + z, x slowest — the layout of a C-order `[nx, ny, nz]` array.
public struct SamplingGrid: Equatable, Sendable {
    public let resolution: SIMD3<Int>
    public let lower: SIMD3<Float>
    public let upper: SIMD3<Float>

    public init(resolution: SIMD3<Int>, lower: SIMD3<Float>, upper: SIMD3<Float>) throws {
        // One sample on an axis spans no cell, so nothing could be extracted and the spacing is undefined.
        guard resolution.min() >= 2 else { throw IsoSurfaceError.resolutionTooSmall(resolution) }
        guard all(lower .< upper) else { throw IsoSurfaceError.emptyBox(lower: lower, upper: upper) }
        self.resolution = resolution
        self.lower = lower
        self.upper = upper
    }

    /// The same number of samples on every axis.
    public init(resolution: Int, lower: SIMD3<Float>, upper: SIMD3<Float>) throws {
        try self.init(resolution: SIMD3(repeating: resolution), lower: lower, upper: upper)
    }

    public var sampleCount: Int { resolution.x * resolution.y * resolution.z }

    public func index(_ x: Int, _ y: Int, _ z: Int) -> Int {
        (x * resolution.y + y) * resolution.z + z
    }

    public func position(_ x: Int, _ y: Int, _ z: Int) -> SIMD3<Float> {
        // Dividing the integer index (rather than adding a spacing) puts the last sample exactly on `upper`.
        let fraction = SIMD3<Float>(Float(x), Float(y), Float(z)) / SIMD3<Float>(resolution &- 1)
        return lower + (upper - lower) * fraction
    }

    /// `field` evaluated at every sample, in storage order.
    public func sample(_ field: (SIMD3<Float>) throws -> Float) rethrows -> [Float] {
        var values = [Float]()
        values.reserveCapacity(sampleCount)
        for x in 0..<resolution.x {
            for y in 0..<resolution.y {
                for z in 0..<resolution.z {
                    values.append(try field(position(x, y, z)))
                }
            }
        }
        return values
    }
}
