import ArgumentParser
import Foundation
import MLXCore
import Runs

@main
struct LatentPrior: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latent-prior",
        abstract: "Text-driven visual synthesis with a latent diffusion prior (LSD + feature matching + KL).",
        discussion: "A frozen text-to-image latent diffusion model (Stable Diffusion layout) serves as an "
            + "image prior: a differentiable generator is optimised so that its latent matches a text prompt. "
            + "Runs on MLX, on the CPU (through OpenBLAS) or on a GPU.",
        version: "0.1.0",
        subcommands: [TrainToy.self, TrainToyGAN.self, EvaluateToy.self, JudgeToy.self, RenderToy.self, Grid.self, Optimize.self, TextTo3DCommand.self, Edit.self, AdaptStyleGAN.self, Sweep.self, Launch.self, CheckDistributed.self, SampleStyleGAN.self, PriorGrad.self, Generate.self, Tokenize.self, Forward.self, Convert.self, Info.self, Inspect.self, Bench.self]
    )

    static func main() {
        MLXRuntime.restartWithSleepingBLASThreadsIfNeeded()
        MLXRuntime.keepBuffersInHeap()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let RunError.stopped(signal, step, checkpoint) {
            // Not an error: the user asked the run to stop; say how to go on, exit as shells expect.
            FileHandle.standardError.write(Data("\n\(RunError.stopped(signal: signal, step: step, checkpoint: checkpoint))\n".utf8))
            Foundation.exit(signal == "SIGTERM" ? 143 : 130)
        } catch let error as MLXError where error.description.contains("connection to a peer was lost") {
            // A consequence, not a cause: another rank stopped. 75 tells `launch` to report that rank's status.
            FileHandle.standardError.write(Data("rank \(ProcessInfo.processInfo.environment["MLX_RANK"] ?? "?"): lost the connection to another rank (it stopped or failed); stopping\n".utf8))
            Foundation.exit(75)
        } catch {
            exit(withError: error)
        }
    }
}
