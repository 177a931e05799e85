import Foundation
import MLXCore
import Runs

/// The process group of a run started by `latent-prior launch` (ring over loopback or a hostfile)
/// or by mpirun/srun (MPI): MLX's distributed group when the launcher says there are several
/// processes, none otherwise.
enum LaunchedProcesses {
    /// The world size a launcher announced: ours, Open MPI's, MPICH/Slurm's PMI.
    static var announcedSize: Int {
        let environment = ProcessInfo.processInfo.environment
        for name in ["LATENT_PRIOR_WORLD_SIZE", "OMPI_COMM_WORLD_SIZE", "PMI_SIZE"] {
            if let value = environment[name].flatMap(Int.init) { return value }
        }
        return 1
    }

    static func group() throws -> DistributedGroup? {
        guard announcedSize > 1 else { return nil }
        do {
            let group = try DistributedGroup.initialize(backend: .any, strict: true)
            guard group.size == announcedSize else {
                throw InputError("the launcher announced \(announcedSize) processes but MLX's distributed group has \(group.size)")
            }
            return group
        } catch let error as MLXError {
            throw InputError("cannot join the other processes: \(error) (MLX_HOSTFILE='\(ProcessInfo.processInfo.environment["MLX_HOSTFILE"] ?? "")', MLX_RANK='\(ProcessInfo.processInfo.environment["MLX_RANK"] ?? "")')")
        }
    }

    static func dataParallel() throws -> DataParallel {
        DataParallel(group: try group())
    }
}
