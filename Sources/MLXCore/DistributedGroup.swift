import CMLX
import Foundation

/// The processes of a distributed run, over MLX's own distributed layer: the ring backend (TCP,
/// compiled into libmlx: `MLX_HOSTFILE` holds each rank's "ip:port" list, `MLX_RANK` this rank),
/// MPI (started by mpirun; MLX loads libmpi at run time) or NCCL (CUDA builds). Without a launcher
/// the group has one process and every collective returns its input.
///
/// Collectives are lazy like every MLX op: processes wait for each other when the result is
/// evaluated. MLX cannot cancel a collective whose peer has died, so `evaluate(_:)` runs under a
/// watchdog that ends this process with a message naming the rank instead of waiting for ever.
public final class DistributedGroup {
    public enum Backend: String, CaseIterable, Sendable { case any, ring, mpi, nccl }

    private let handle: mlxc_group
    public let backend: Backend
    public let rank: Int
    public let size: Int

    /// `strict`: fail when no launcher set the group up (instead of a group of one).
    public static func initialize(backend: Backend = .any, strict: Bool) throws -> DistributedGroup {
        var handle: mlxc_group?
        try check(mlxc_distributed_init(backend.rawValue, strict ? 1 : 0, &handle))
        guard let handle else { throw MLXError("MLX returned no distributed group") }
        return DistributedGroup(handle: handle, backend: backend)
    }

    public static func isAvailable(_ backend: Backend) -> Bool { mlxc_distributed_is_available(backend.rawValue) == 1 }

    private init(handle: mlxc_group, backend: Backend) {
        self.handle = handle
        self.backend = backend
        rank = Int(mlxc_group_rank(handle))
        size = Int(mlxc_group_size(handle))
    }

    deinit { mlxc_group_free(handle) }

    /// The element-wise sum over every process (lazy).
    public func allSum(_ array: MLXArray) throws -> MLXArray {
        try withExtendedLifetime(self) { try produce { out in array.withHandle { mlxc_distributed_all_sum(handle, $0, &out) } } }
    }

    /// Every process's array, concatenated along the first axis in rank order (lazy).
    public func allGather(_ array: MLXArray) throws -> MLXArray {
        try withExtendedLifetime(self) { try produce { out in array.withHandle { mlxc_distributed_all_gather(handle, $0, &out) } } }
    }

    /// Sends to a neighbouring rank (the ring backend connects only neighbours).
    public func send(_ array: MLXArray, to destination: Int) throws -> MLXArray {
        try withExtendedLifetime(self) { try produce { out in array.withHandle { mlxc_distributed_send(handle, $0, Int32(destination), &out) } } }
    }

    public func receive(shape: [Int], dtype: DType, from source: Int) throws -> MLXArray {
        let dims = shape.map { Int32(clamping: $0) }
        return try withExtendedLifetime(self) {
            try produce { out in mlxc_distributed_recv(handle, dims, Int32(dims.count), dtype.rawValue, Int32(source), &out) }
        }
    }

    /// Seconds a collective may wait for the other processes: LATENT_PRIOR_DISTRIBUTED_TIMEOUT, else 300.
    public static var timeout: Double {
        ProcessInfo.processInfo.environment["LATENT_PRIOR_DISTRIBUTED_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? 300
    }

    /// Evaluates results that involve collectives; if the other processes do not answer within
    /// `timeout` seconds (a peer died or hangs), writes one line naming this rank and exits with
    /// status 75: the blocked MLX thread cannot be released, and a run must not hang for ever.
    public func evaluate(_ arrays: [MLXArray], timeout: Double = DistributedGroup.timeout) throws {
        guard size > 1 else { return try eval(arrays) }
        let finished = DispatchSemaphore(value: 0)
        let rank = self.rank, size = self.size
        Thread.detachNewThread {
            if finished.wait(timeout: .now() + timeout) == .timedOut {
                FileHandle.standardError.write(Data(
                    "rank \(rank) of \(size): no answer from the other ranks within \(Int(timeout)) s (a process stopped or hangs); exiting\n".utf8))
                exit(75)
            }
        }
        defer { finished.signal() }
        try eval(arrays)
    }
}
