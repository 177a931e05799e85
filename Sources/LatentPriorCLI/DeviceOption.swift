import ArgumentParser
import MLXCore

extension Device: ExpressibleByArgument {}

/// `--device cpu|gpu`, shared by every command that computes.
struct DeviceOption: ParsableArguments {
    @Option(help: "Where MLX computes: cpu or gpu (a CUDA or Metal build of MLX).")
    var device: Device = .cpu

    func apply() throws {
        try Device.setDefault(device)
    }
}
