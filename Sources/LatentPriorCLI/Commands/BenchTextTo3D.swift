import ArgumentParser
import Diffusion
import Foundation
import MLXCore
import TextTo3D

/// Seconds per text-to-3D iteration (render, prior with LSD + FM + KL, pull-back, Adam) on a model
/// folder: the SPEC §6 yardstick, at the model's latent size (64×64 for SD 1.5).
struct BenchTextTo3D: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-to-3d",
        abstract: "Time text-to-3D iterations (hash grid, one view each; latent or RGB stage) on a model folder; no outputs are written.")

    @OptionGroup var modelOption: ModelOption

    @Option(help: "Timed iterations (after one warm-up).")
    var repeats = 3

    @Option(help: "Samples per ray.")
    var samplesPerRay = TextTo3DConfiguration(prompt: "", model: "").samplesPerRay

    @Flag(help: "LSD only (no feature matching, no KL).")
    var lsdOnly = false

    @Flag(help: "Time RGB refinement iterations (colour head, pictures through the VAE encoder) instead of latent ones.")
    var rgb = false

    @Option(help: "Rays per side of the RGB stage's pictures (default: half the picture size, at most 128).")
    var refineResolution: Int?

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
        var configuration = TextTo3DConfiguration(prompt: "a red cube", model: modelOption.path)
        // The RGB stage starts after one latent iteration, which is not timed.
        configuration.iterations = rgb ? 1 : repeats + 1
        if rgb {
            configuration.refineIterations = repeats + 1
            var refinement = RGBRefinementSettings()
            refinement.resolution = refineResolution
            configuration.refinement = refinement
        }
        let firstTimed = rgb ? 3 : 2
        configuration.saveEvery = 1_000_000
        configuration.samplesPerRay = samplesPerRay
        if lsdOnly {
            configuration.prior.lambdaFM = 0
            configuration.prior.lambdaKL = 0
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-t3d-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = try StableDiffusion.load(try modelOption.open())
        let trainer = try TextTo3DTrainer(configuration: configuration, pipeline: pipeline, run: RunFolder(path: folder.path), resume: false)
        var times: [Double] = []
        var last = Date()
        try trainer.train { step in
            let now = Date()
            if step.step == firstTimed - 1 { Memory.resetPeak() } else if step.step >= firstTimed { times.append(now.timeIntervalSince(last)) }
            last = now
        }
        times.sort()
        let stage = rgb ? "RGB stage, \(configuration.refinementSettings.renderSize(pictureSize: pipeline.defaultImageSize))² rays → \(pipeline.defaultImageSize)² pictures"
            : "latent \(trainer.latentSize)×\(trainer.latentSize)"
        print("\(stage), \(samplesPerRay) samples/ray, \(lsdOnly ? "LSD only" : "LSD + FM + KL")")
        print(String(format: "iteration median %.3f s  min %.3f s  peak MLX memory %.0f MiB",
                     times[times.count / 2], times[0], Double(Memory.peak) / 1_048_576))
    }
}
