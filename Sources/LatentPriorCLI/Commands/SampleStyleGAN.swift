import ArgumentParser
import Foundation
import ImageIO
import MLXCore
import StyleGANAdaptation

/// Pictures from a StyleGAN2 generator (an adapted one, the toy one, a rosinality .pt).
struct SampleStyleGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-stylegan",
        abstract: "Sample a StyleGAN2 generator: sample-NNN.png and grid.png for z drawn from --seed.")

    @Option(help: "The generator (rosinality-format .pt or .safetensors; default: the shipped toy generator).")
    var generator: String?

    @Option(help: "Pictures to draw.")
    var count = 16

    @Option(help: "Truncation ψ towards the mean W (1: none).")
    var truncation: Float = 0.7

    @Option(help: "Random seed of the z codes.")
    var seed: UInt64 = 0

    @Option(help: "Folder to write.")
    var output: String

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        guard (1...4096).contains(count) else { throw InputError("--count must lie in 1…4096, got \(count)") }
        guard truncation > 0, truncation <= 1 else { throw InputError("--truncation must lie in (0, 1], got \(truncation)") }
        let model = try GeneratorFile.load(generator ?? DefaultModel.toyGenerator)
        if model.latentAverage == nil { model.latentAverage = try model.meanLatent() }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let z = try Random.normal([count, model.architecture.styleDimension], key: Random.key(seed))
        var pictures: [RGBImage] = []
        for start in stride(from: 0, to: count, by: 8) {
            let images = try model(z.sliced(axis: 0, start..<min(start + 8, count)), truncation: truncation)
            for index in 0..<images.dim(0) {
                let picture = try RGBImage(images.index(index))
                try PNG.write(picture, to: URL(fileURLWithPath: output).appendingPathComponent(String(format: "sample-%03d.png", pictures.count)).path)
                pictures.append(picture)
            }
        }
        let grid = URL(fileURLWithPath: output).appendingPathComponent("grid.png").path
        try PNG.write(imageGrid(pictures, columns: Int(Double(count).squareRoot().rounded(.up))), to: grid)
        print("\(model.architecture): \(count) samples in \(output), grid \(grid)")
    }
}
