import Runs

/// The process group of a run started by `latent-prior launch` (or mpirun): MLX's distributed
/// group when the launcher says there are several processes, none otherwise.
enum LaunchedProcesses {
    static func dataParallel() throws -> DataParallel {
        .single
    }
}
