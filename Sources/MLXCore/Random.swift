import CMLX

/// Random numbers from explicit keys: the same key always gives the same numbers, so every
/// stochastic step of a run is reproducible from its seed. Keys are MLX threefry keys (uint32 [2]).
public enum Random {
    public static func key(_ seed: UInt64) throws -> MLXArray {
        try produce { mlxc_random_key(seed, &$0) }
    }

    /// `count` independent keys derived from `key`.
    public static func split(_ key: MLXArray, count: Int = 2) throws -> [MLXArray] {
        let keys = try key.withHandle { h in try produce { mlxc_random_split(h, Int32(count), &$0) } }
        return try (0..<count).map { try keys.index($0) }
    }

    public static func normal(_ shape: [Int], dtype: DType = .float32, mean: Float = 0, std: Float = 1, key: MLXArray) throws -> MLXArray {
        let dims = shape.map(Int32.init)
        return try key.withHandle { k in
            try produce { mlxc_random_normal(dims, Int32(dims.count), dtype.rawValue, mean, std, k, &$0) }
        }
    }

    /// Uniform in [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, dtype: DType = .float32, key: MLXArray) throws -> MLXArray {
        let dims = shape.map(Int32.init)
        let (lo, hi) = (try MLXArray(low), try MLXArray(high))
        return try withHandles([lo, hi, key]) { h in
            try produce { mlxc_random_uniform(h[0], h[1], dims, Int32(dims.count), dtype.rawValue, h[2], &$0) }
        }
    }

    /// Integers in [low, high).
    public static func randint(_ shape: [Int], low: Int, high: Int, dtype: DType = .int32, key: MLXArray) throws -> MLXArray {
        let dims = shape.map(Int32.init)
        let (lo, hi) = (try MLXArray(low), try MLXArray(high))
        return try withHandles([lo, hi, key]) { h in
            try produce { mlxc_random_randint(h[0], h[1], dims, Int32(dims.count), dtype.rawValue, h[2], &$0) }
        }
    }

    /// Booleans that are true with probability `p`.
    public static func bernoulli(_ shape: [Int], p: Float, key: MLXArray) throws -> MLXArray {
        let dims = shape.map(Int32.init)
        let probability = try MLXArray(p)
        return try withHandles([probability, key]) { h in
            try produce { mlxc_random_bernoulli(h[0], dims, Int32(dims.count), h[1], &$0) }
        }
    }
}
