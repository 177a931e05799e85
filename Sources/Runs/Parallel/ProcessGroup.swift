import MLXCore

/// The processes a run is spread over (MLX's distributed group behind it; see `DataParallel`).
/// A protocol so the run layer does not care how the group was made (ring, MPI, NCCL, or none).
public protocol ProcessGroup: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// The element-wise sum of `array` over every process, returned to each.
    func allSum(_ array: MLXArray) throws -> MLXArray
}
