import ArgumentParser
import Benchmarks
import Diffusion
import Foundation
import MLXCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed (medians over repeated runs), printed as tables.",
        subcommands: [BenchBlas.self, BenchStableDiffusion.self, BenchPrior.self, BenchTextTo3D.self, BenchEdit.self, BenchStyleGAN.self, BenchTokenizer.self])
}

struct BenchBlas: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blas",
        abstract: "Matmul and convolution GFLOP/s of MLX's CPU path, beside the wheel's reference BLAS.",
        discussion: "The float32 1024x1024 matmul line should read well above 100 GFLOP/s with OpenBLAS on 2 cores.")

    @OptionGroup var deviceOption: DeviceOption

    @Option(help: "Timed repetitions per measurement (after one warm-up).")
    var repeats = 5

    @Flag(help: "Skip the (slow) reference BLAS comparison.")
    var noReference = false

    func run() throws {
        try deviceOption.apply()
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
        let blas = try MLXRuntime.blasLibrary()
        print("BLAS serving MLX: \(blas)")
        let libFolder = URL(fileURLWithPath: try MLXRuntime.mlxLibrary()).deletingLastPathComponent()
        let referenceFolder = libFolder.deletingLastPathComponent().appendingPathComponent("reference-blas").path
        var benchmark = BlasBenchmark(referenceFolder: noReference ? nil : referenceFolder)
        benchmark.repeats = repeats
        print(pad("operation", 32) + pad("backend", 30) + pad("median", 12) + "rate")
        try benchmark.run { row in
            print(pad(row.operation, 32) + pad(row.backend, 30) + pad(String(format: "%.4f s", row.timing.median), 12)
                  + String(format: "%.1f GFLOP/s", row.gflops))
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

struct BenchStableDiffusion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sd",
        abstract: "Forward times of the text encoder, UNet (batch 2) and VAE decoder of a model folder.",
        discussion: "scripts/bench_sd.py runs this beside diffusers on the same weights and prints the ratios.")

    @OptionGroup var modelOption: ModelOption

    @Option(help: "Timed repetitions per component (after one warm-up).")
    var repeats = 3

    @Option(help: "Latent height and width.")
    var latentSize = 64

    @Option(parsing: .upToNextOption, help: "Components: text-encoder, unet, vae-decode.")
    var components = ["text-encoder", "unet", "vae-decode"]

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        guard repeats > 0, latentSize > 0 else { throw ValidationError("--repeats and --latent-size must be positive") }
        var benchmark = StableDiffusionBenchmark(folder: try modelOption.open())
        benchmark.repeats = repeats
        benchmark.latentSize = latentSize
        benchmark.components = components
        print("component      median_s  min_s     peak_MiB")
        try benchmark.run { print($0.formatted(nameWidth: 14)) }
    }
}
