import MLXCore

/// A run's random numbers as functions of (seed, step): a resumed run draws exactly what an
/// uninterrupted one would have drawn at the same step, whatever happened before.
public struct StepRandomness: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// The MLX key of a step (the prior's t and ε).
    public func key(step: Int) throws -> MLXArray {
        try Random.key(seed &+ 0x9E37_79B9 &* UInt64(step))
    }

    /// The key of one of a step's views (several views per step): view 0's is the step's key, so a
    /// run with one view per step draws what it always drew.
    public func key(step: Int, view: Int) throws -> MLXArray {
        view == 0 ? try key(step: step) : try Random.key((seed &+ 0x9E37_79B9 &* UInt64(step)) ^ (0xA24B_AED4_963E_E407 &* UInt64(view)))
    }

    /// A host generator for a step; `stream` separates independent uses within one step
    /// (cameras, ray jitter, augmentations) so they do not share numbers.
    public func generator(step: Int, stream: UInt64) -> SplitMix64 {
        SplitMix64(seed: (seed ^ stream) &* 0x2545_F491_4F6C_DD1D &+ UInt64(step))
    }
}
