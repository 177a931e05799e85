import MLXCore

/// The thing an application optimises (a latent, a radiance field, an editing network, a
/// generator), as the run loop sees it: one step at a time, and its state as checkpoint groups.
/// An application is its configuration + an `OptimizedSystem` + the prior; `OptimizationRun`
/// does the rest (folder, config.json, losses.csv, checkpoints, resume, NaN guard, progress).
public protocol OptimizedSystem: AnyObject {
    associatedtype Configuration: RunConfiguration
    associatedtype Step: RunStep

    var configuration: Configuration { get }

    /// One optimisation step; must call `context.requireFinite` before changing any parameter.
    func step(_ context: StepContext) throws -> Step

    /// Everything a resumed run needs to continue exactly: weights, optimiser state, buffers.
    func checkpointGroups() throws -> [String: [String: MLXArray]]

    /// Puts the state of a checkpoint back; `path` names it in errors.
    func restore(_ groups: [String: [String: MLXArray]], from path: String) throws

    /// Called before each checkpoint is written (snapshots: pictures of the state being saved).
    func willCheckpoint(step: Int, in folder: RunFolder) throws

    /// Called once the last step is done (final pictures).
    func didFinish(in folder: RunFolder) throws
}

extension OptimizedSystem {
    public func willCheckpoint(step: Int, in folder: RunFolder) throws {}
    public func didFinish(in folder: RunFolder) throws {}
}
