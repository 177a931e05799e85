import ArgumentParser
import Foundation
import MLXCore

struct Launch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command as N processes joined by MLX's distributed ring (this machine's loopback, or one rank per host over ssh).",
        discussion: """
            latent-prior launch --processes 2 -- text-to-3d --prompt "a red cube" --views-per-step 2 --output runs/cube

            Each rank gets MLX_HOSTFILE (the ring: every rank's ip:port) and MLX_RANK, as MLX's ring backend \
            expects, and its output prefixed with "[rank] ". When a rank fails the others are stopped (SIGTERM, \
            then SIGKILL) and its status is returned. --hostfile takes mlx.launch's format, \
            [{"ssh": "host1", "ips": ["10.0.0.1"]}, ...]: one rank per host, started over ssh in the same \
            folder (the run folder must be on a shared file system). With MPI instead: \
            `mpirun -np N latent-prior COMMAND …` (MLX picks MPI up when libmpi is installed).
            """)

    @Option(help: "Processes on this machine (without --hostfile), or the number of hosts to use from it.")
    var processes: Int?

    @Option(help: "mlx.launch-style JSON hostfile: one rank per host, started over ssh.")
    var hostfile: String?

    @Option(help: "First TCP port of the ring (default: free ports picked on loopback; 5500 with --hostfile).")
    var portBase: Int?

    @Argument(parsing: .postTerminator, help: "The latent-prior command and its options, after `--`.")
    var command: [String] = []

    func validate() throws {
        if let processes, !(1...64).contains(processes) { throw ValidationError("--processes must be in 1...64, got \(processes)") }
        guard processes != nil || hostfile != nil else { throw ValidationError("give --processes N (this machine) or --hostfile FILE") }
        guard !command.isEmpty else { throw ValidationError("give the command to run after `--`, e.g. -- text-to-3d --prompt …") }
        guard command.first != "launch" else { throw ValidationError("launch cannot launch itself") }
    }

    func run() throws {
        var hosts: LaunchHosts
        if let hostfile {
            hosts = try LaunchHosts.fromHostfile(hostfile, portBase: portBase ?? 5500)
            if let processes {
                guard processes <= hosts.hosts.count else {
                    throw InputError("--processes \(processes) but hostfile '\(hostfile)' lists \(hosts.hosts.count) hosts")
                }
                hosts = LaunchHosts(hosts: Array(hosts.hosts.prefix(processes)))
            }
        } else {
            hosts = try LaunchHosts.local(count: processes!, portBase: portBase)
        }
        guard let executable = Bundle.main.executableURL else { throw InputError("cannot find the latent-prior executable") }
        let hostfilePath = FileManager.default.temporaryDirectory.appendingPathComponent("latent-prior-ring-\(getpid()).json").path
        try writeAtomically(Data(hosts.ringHostfile.utf8), to: hostfilePath)
        defer { try? FileManager.default.removeItem(atPath: hostfilePath) }
        let status = try RankProcesses(executable: executable, arguments: command, hosts: hosts, hostfilePath: hostfilePath).run()
        if status != 0 { throw ExitCode(status) }
    }
}
