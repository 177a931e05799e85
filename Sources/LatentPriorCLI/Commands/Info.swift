import ArgumentParser
import Foundation
import MLXCore

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the MLX build, devices and the BLAS library serving CPU matmul.")

    func run() throws {
        print("MLX version      \(MLXRuntime.version)")
        print("libmlx           \(try MLXRuntime.mlxLibrary())")
        print("BLAS (cblas)     \(try MLXRuntime.blasLibrary())")
        if let core = MLXRuntime.openBLASCoreName() {
            let pinned = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? ""
            print("BLAS kernels     \(core)\(pinned)")
            let wait = ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"].map { "2^\($0) cycles (OPENBLAS_THREAD_TIMEOUT=\($0))" }
            print("BLAS idle wait   \(wait ?? "OpenBLAS's default, 2^28 cycles")")
        }
        print("GPU available    \(Device.isGPUAvailable ? "yes" : "no")")
        print("default device   \(Device.default.rawValue)")
    }
}
