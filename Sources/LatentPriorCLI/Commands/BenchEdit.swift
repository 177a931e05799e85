import ArgumentParser
import Benchmarks
import Diffusion
import Foundation
import ImageIO
import LayeredEditing
import MLXCore
import Runs

/// Seconds per `edit` step on a model folder at its own picture size (512² for SD 1.5): the network
/// on one view, composite and green screen through the VAE encoder, the prior on both (LSD + FM +
/// KL), the structure and sparsity terms, the backward pass and MADGRAD. scripts/bench_edit.py puts
/// the same step in PyTorch beside it.
struct BenchEdit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Time edit steps (one view, Text2LIVE's network at the model's defaults) on a model folder; no outputs are kept.")

    @OptionGroup var modelOption: ModelOption

    @Option(help: "Timed steps (after one warm-up step).")
    var repeats = 3

    @Option(help: "How the prior's gradient reaches the pixels (see `edit --help`).")
    var priorGradient: EditConfiguration.PriorGradientPath = .encoder

    @Flag(help: "No green-screen term (one prior evaluation per step instead of two).")
    var noScreen = false

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
        let pipeline = try StableDiffusion.load(try modelOption.open())
        let size = pipeline.defaultImageSize
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-edit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A picture at the working size, so no resampling is timed: a grey ramp with a disk.
        let picturePath = folder.appendingPathComponent("picture.png").path
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                let inside = (x - size / 2) * (x - size / 2) + (y - size / 2) * (y - size / 2) < size * size / 16
                for c in 0..<3 { pixels[(y * size + x) * 3 + c] = inside ? UInt8(60 * c + 40) : UInt8(255 * x / size) }
            }
        }
        try PNG.write(RGBImage(width: size, height: size, pixels: pixels), to: picturePath)

        var configuration = EditConfiguration(prompt: "a red apple", model: modelOption.path, image: picturePath)
            .scaled(toModelImageSize: size)
        configuration.iterations = repeats + 1
        configuration.saveEvery = 1_000_000
        configuration.augmentation.viewsPerStep = 1
        configuration.augmentation.fullPictureEvery = 1_000_000  // the full picture would be a second batch at step 1
        configuration.priorGradient = priorGradient
        if noScreen { configuration.lambdaScreen = 0 }
        let input = try EditInput(path: picturePath, maskPath: nil)
        let editor = try LayeredEditor(configuration: configuration, pipeline: pipeline, input: input,
                                       run: RunFolder(path: folder.appendingPathComponent("run").path), resume: false)
        var step = 1
        let row = try TimedRow.measure("edit-step", repeats: repeats) {
            let context = StepContext(step: step + 1, progress: 0, randomness: StepRandomness(seed: 0), lastCheckpointStep: nil)
            _ = try editor.step(context)
            step += 1
        }
        print("picture \(size)×\(size), network \(configuration.generator.scales) scales × \(configuration.generator.downChannels) channels, "
              + "prior gradient through the \(priorGradient.rawValue), \(configuration.lambdaScreen > 0 ? "composite + green screen" : "composite only")")
        print("name          median    min       peak_MiB")
        print(row.formatted(nameWidth: 13))
    }
}
