import Foundation
import ImageIO
import MLXCore
import Runs

/// The toy world's training data: sample i of a seed is a fixed random scene (shape, colour, camera
/// with azimuth 0–360°, elevation −10…60°), its render and its caption (with a view suffix on half
/// of the samples). Deterministic, generated on the fly.
public struct ToyDataset: TrainingBatchSource, Sendable {
    public let seed: UInt64
    public let renderer: ToyRenderer
    public var viewSuffixProbability = 0.5

    public init(seed: UInt64 = 0, renderer: ToyRenderer = ToyRenderer()) {
        self.seed = seed
        self.renderer = renderer
    }

    public func scene(_ index: Int) -> (scene: ToyScene, caption: String) {
        var random = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(index))
        let shape = ToyShape.allCases[Int(random.next() % UInt64(ToyShape.allCases.count))]
        let colour = ToyColour.allCases[Int(random.next() % UInt64(ToyColour.allCases.count))]
        let camera = ToyCamera(azimuth: Float(random.nextUnit() * 360), elevation: Float(-10 + random.nextUnit() * 70))
        let scene = ToyScene(shape: shape, colour: colour, camera: camera)
        return (scene, scene.caption(withView: random.nextUnit() < viewSuffixProbability))
    }

    /// Images [B, H, W, 3] in [−1, 1] and captions for samples index·size ..< (index + 1)·size.
    public func batch(index: Int, size: Int) throws -> (images: MLXArray, captions: [String]) {
        var pixels: [UInt8] = []
        var captions: [String] = []
        pixels.reserveCapacity(size * renderer.size * renderer.size * 3)
        for offset in 0..<size {
            let (scene, caption) = self.scene(index * size + offset)
            pixels += renderer.render(scene).image.pixels
            captions.append(caption)
        }
        let images = try MLXArray(pixels, shape: [size, renderer.size, renderer.size, 3]).asType(.float32) / 127.5 - 1
        return (images, captions)
    }
}

/// Every colour × shape at one camera, as a grid (rows: colours, columns: shapes).
public func renderCatalogue(camera: ToyCamera = ToyCamera(azimuth: 30, elevation: 20), renderer: ToyRenderer = ToyRenderer()) -> RGBImage {
    let images = ToyColour.allCases.flatMap { colour in
        ToyShape.allCases.map { renderer.render(ToyScene(shape: $0, colour: colour, camera: camera)).image }
    }
    return imageGrid(images, columns: ToyShape.allCases.count)
}
