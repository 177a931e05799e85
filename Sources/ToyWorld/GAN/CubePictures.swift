import Foundation
import MLXCore
import Runs

/// The toy GAN's training set: cubes in all six colours from random cameras (the toy dataset's
/// distribution: azimuth 0–360°, elevation −10…60°), rendered once into memory, [N, H, W, 3] in [−1, 1].
public struct CubePictures {
    public let pictures: MLXArray
    public let colours: [ToyColour]

    public init(count: Int, size: Int, seed: UInt64) throws {
        let renderer = ToyRenderer(size: size)
        var random = SplitMix64(seed: seed &* 0x9E37_79B9 &+ 0xC0BE)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(count * size * size * 3)
        var colours: [ToyColour] = []
        for index in 0..<count {
            let colour = ToyColour.allCases[index % ToyColour.allCases.count]
            let camera = ToyCamera(azimuth: Float(random.nextUnit() * 360), elevation: Float(-10 + random.nextUnit() * 70))
            pixels += renderer.render(ToyScene(shape: .cube, colour: colour, camera: camera)).image.pixels
            colours.append(colour)
        }
        self.colours = colours
        pictures = try MLXArray(pixels, shape: [count, size, size, 3]).asType(.float32) / 127.5 - 1
        try pictures.eval()
    }

    /// A batch for `step`: random pictures, each flipped left–right with probability ½.
    public func batch(step: Int, size batch: Int, seed: UInt64) throws -> MLXArray {
        var random = SplitMix64(seed: seed &+ 0xBA7C &* UInt64(step + 1))
        let count = pictures.dim(0)
        var indices: [Int32] = [], flips: [Float] = []
        for _ in 0..<batch {
            indices.append(Int32(random.next() % UInt64(count)))
            flips.append(random.nextUnit() < 0.5 ? 1 : 0)
        }
        let chosen = try pictures.take(try MLXArray(indices), axis: 0)
        let flip = try MLXArray(flips, shape: [batch, 1, 1, 1])
        return try chosen * (1 - flip) + chosen.flipped(axis: 2) * flip
    }
}
