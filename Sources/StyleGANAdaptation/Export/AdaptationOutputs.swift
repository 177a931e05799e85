import Foundation
import ImageIO
import MLXCore
import Runs
import StyleGAN

extension GeneratorAdapter {
    /// The fixed codes of the before/after samples: z from the seed (its own stream), mapped by the
    /// frozen network, truncated towards the mean W by `sampleTruncation` (NADA samples at ψ = 0.7).
    func sampleCodes() throws -> MLXArray {
        let z = try Random.normal([configuration.samples, frozen.architecture.styleDimension],
                                  key: Random.key(configuration.seed &+ 0x5A3F_1E5))
        var w = try frozen.mapping(z)
        if configuration.sampleTruncation < 1, let average = frozen.latentAverage {
            w = try average + (w - average) * configuration.sampleTruncation
        }
        return try frozen.latents([w])
    }

    /// Pictures of `generator` for the sample codes (the checkpoint's noise buffers), 8 at a time.
    func samplePictures(of generator: StyleGAN2Generator) throws -> [RGBImage] {
        let codes = try sampleCodes()
        var pictures: [RGBImage] = []
        for start in stride(from: 0, to: codes.dim(0), by: 8) {
            let images = try generator.synthesize(codes.sliced(axis: 0, start..<min(start + 8, codes.dim(0))))
            for index in 0..<images.dim(0) { pictures.append(try RGBImage(images.index(index))) }
        }
        return pictures
    }

    var gridColumns: Int { max(1, Int(Double(configuration.samples).squareRoot().rounded(.up))) }

    func writeSamples(of generator: StyleGAN2Generator, grid path: String, folder: String? = nil) throws {
        let pictures = try samplePictures(of: generator)
        if let folder {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (index, picture) in pictures.enumerated() {
                try PNG.write(picture, to: folder + String(format: "/sample-%03d.png", index))
            }
        }
        try PNG.write(imageGrid(pictures, columns: gridColumns), to: path)
    }

    /// before/sample-NNN.png and before.png: the frozen generator on the sample codes.
    public func writeBefore(to folder: RunFolder) throws {
        try writeSamples(of: frozen, grid: folder.file("before.png"), folder: folder.file("before"))
    }

    /// after/…, after.png, comparison.png (before | after for each sample, side by side) and the
    /// adapted generator.safetensors (rosinality's keys under g_ema., with latent_avg).
    public func writeOutputs(to folder: RunFolder) throws {
        let before = try samplePictures(of: frozen), after = try samplePictures(of: trainable)
        try FileManager.default.createDirectory(atPath: folder.file("after"), withIntermediateDirectories: true)
        for (index, picture) in after.enumerated() {
            try PNG.write(picture, to: folder.file(String(format: "after/sample-%03d.png", index)))
        }
        try PNG.write(imageGrid(after, columns: gridColumns), to: folder.file("after.png"))
        let pairs = zip(before, after).flatMap { [$0, $1] }
        try PNG.write(imageGrid(pairs, columns: 2 * min(4, configuration.samples)), to: folder.file("comparison.png"))
        try StyleGAN2Checkpoint.save(trainable, to: folder.file("generator.safetensors"),
                                     metadata: ["prompt": configuration.prompt, "adapted-from": configuration.generator])
    }
}
