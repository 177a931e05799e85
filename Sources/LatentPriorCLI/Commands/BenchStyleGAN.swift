import ArgumentParser
import Benchmarks
import Diffusion
import Foundation
import MLXCore
import Runs
import StyleGANAdaptation

/// Seconds per `adapt-stylegan` step (the SPEC §6 yardstick for StyleGAN adaptation): the trainable
/// generator on `--batch` codes, its pictures resized to the model's size, encoded, judged by the
/// prior (LSD clamped + FM + KL), the backward pass through encoder and generator, Adam.
/// scripts/bench_stylegan.py times the same step in PyTorch and makes the random config-f generator.
struct BenchStyleGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stylegan",
        abstract: "Time adapt-stylegan steps on a model folder and a generator; no outputs are kept.")

    @OptionGroup var modelOption: ModelOption

    @Option(help: "The generator (default: the shipped toy generator).")
    var generator: String?

    @Option(help: "Samples per step.")
    var batch = 2

    @Option(help: "Timed steps (after one warm-up step).")
    var repeats = 3

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-stylegan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = AdaptationConfiguration(prompt: "a photo of a dog", model: modelOption.path,
                                                    generator: generator ?? DefaultModel.toyGenerator)
        let pipeline = try StableDiffusion.load(try modelOption.open())
        configuration = configuration.scaled(toModelImageSize: pipeline.defaultImageSize)
        configuration.batch = batch
        configuration.iterations = repeats + 1
        configuration.saveEvery = 1_000_000
        configuration.prior.guidanceScale = 100
        let adapter = try GeneratorAdapter(configuration: configuration, pipeline: pipeline, run: RunFolder(path: folder.path), resume: false)
        var step = 0
        let row = try TimedRow.measure("stylegan-step", repeats: repeats) {
            step += 1
            _ = try adapter.step(StepContext(step: step, progress: 0, randomness: StepRandomness(seed: 0), lastCheckpointStep: nil))
        }
        print("generator \(adapter.trainable.architecture), batch \(batch), pictures at \(pipeline.defaultImageSize)², prior gradient through the \(configuration.priorGradient.rawValue)")
        print("name          median    min       peak_MiB")
        print(row.formatted(nameWidth: 13))
    }
}
