import MLXCore

/// What a step needs to know of its run: which step it is, how far the run has got, its
/// deterministic randomness, and what to say if its numbers are not finite.
public struct StepContext {
    public let step: Int
    /// 0 at the first step, 1 at the last (annealed settings follow it).
    public let progress: Float
    public let randomness: StepRandomness
    /// The step of the checkpoint on disk, if this run has written or resumed from one.
    public let lastCheckpointStep: Int?

    public init(step: Int, progress: Float, randomness: StepRandomness, lastCheckpointStep: Int?) {
        self.step = step
        self.progress = progress
        self.randomness = randomness
        self.lastCheckpointStep = lastCheckpointStep
    }

    /// The step's MLX random key (the prior's t and ε).
    public func key() throws -> MLXArray { try randomness.key(step: step) }

    /// The MLX key of one of the step's views (view 0: `key()`).
    public func key(view: Int) throws -> MLXArray { try randomness.key(step: step, view: view) }

    /// The NaN/Inf guard: throws naming the first term that is not finite, the step, and the
    /// checkpoint that is kept. Call it before the optimiser touches the parameters, so the state
    /// in memory and on disk stays the last good one.
    public func requireFinite(_ values: [(term: String, value: Float)]) throws {
        for (term, value) in values where !value.isFinite {
            throw RunError.nonFinite(step: step, term: term, lastCheckpointStep: lastCheckpointStep)
        }
    }
}
