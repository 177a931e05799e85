import MLXCore

/// Sample points along camera rays through the box [−bound, bound]³: `samplesPerRay` stratified
/// samples between each ray's entry and exit (one uniform draw per stratum when `jitter` is
/// given, stratum midpoints otherwise). Computed on the host: positions are inputs, not parameters.
public struct RaySamples {
    /// [R·S, 3] world positions.
    public let points: MLXArray
    /// [R, S] length of the stratum each sample stands for (0 for rays that miss the box).
    public let intervals: MLXArray
    /// [R, S] distance of each sample from the camera along its (unit) ray.
    public let distances: MLXArray
    public let rays: Int
    public let samplesPerRay: Int

    /// `jitter`, when given, yields R·S numbers in [0, 1), one per sample.
    public init(origin: SIMD3<Float>, directions: [SIMD3<Float>], bound: Float, samplesPerRay: Int,
                jitter: (() -> Float)? = nil) throws {
        guard samplesPerRay > 0 else { throw FieldError.invalidSetting("samples per ray must be positive, got \(samplesPerRay)") }
        rays = directions.count
        self.samplesPerRay = samplesPerRay
        var positions = [Float](), gaps = [Float](), depths = [Float]()
        positions.reserveCapacity(rays * samplesPerRay * 3)
        gaps.reserveCapacity(rays * samplesPerRay)
        for direction in directions {
            let (near, far) = Self.boxInterval(origin: origin, direction: direction, bound: bound)
            let stratum = (far - near) / Float(samplesPerRay)
            for index in 0..<samplesPerRay {
                let t = near + (Float(index) + (jitter?() ?? 0.5)) * stratum
                let p = origin + direction * t
                positions += [p.x, p.y, p.z]
                // Each sample stands for its whole stratum, so the intervals partition [near, far]
                // exactly: a constant density gives Beer–Lambert's 1 − e^(−σ(far − near)).
                gaps.append(stratum)
                depths.append(t)
            }
        }
        points = try MLXArray(positions, shape: [rays * samplesPerRay, 3])
        intervals = try MLXArray(gaps, shape: [rays, samplesPerRay])
        distances = try MLXArray(depths, shape: [rays, samplesPerRay])
    }

    /// Entry and exit distances of a ray through the box (slab method); (0, 0) when it misses.
    static func boxInterval(origin: SIMD3<Float>, direction: SIMD3<Float>, bound: Float) -> (Float, Float) {
        var near: Float = 0, far = Float.greatestFiniteMagnitude
        for axis in 0..<3 {
            let d = direction[axis], o = origin[axis]
            if abs(d) < 1e-9 {
                if abs(o) > bound { return (0, 0) }
                continue
            }
            let t0 = (-bound - o) / d, t1 = (bound - o) / d
            near = max(near, min(t0, t1))
            far = min(far, max(t0, t1))
        }
        return far > near ? (near, far) : (0, 0)
    }
}
