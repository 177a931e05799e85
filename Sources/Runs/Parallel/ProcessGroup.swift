import MLXCore

/// The processes a run is spread over (MLX's distributed group behind it; see `DataParallel`).
/// A protocol so the run layer does not care how the group was made (ring, MPI, NCCL, or none).
public protocol ProcessGroup: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// The element-wise sum of `array` over every process, returned to each.
    func allSum(_ array: MLXArray) throws -> MLXArray
    /// Evaluates results that wait for the other processes (with a timeout where the group has one).
    func evaluate(_ arrays: [MLXArray]) throws
}

extension ProcessGroup {
    public func evaluate(_ arrays: [MLXArray]) throws { try eval(arrays) }
}

/// MLX's distributed group is one (ring, MPI or NCCL); its `evaluate` has the peer timeout.
extension DistributedGroup: ProcessGroup {
    public func evaluate(_ arrays: [MLXArray]) throws { try evaluate(arrays, timeout: DistributedGroup.timeout) }
}
