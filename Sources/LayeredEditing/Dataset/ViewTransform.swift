import MLXCore

/// One augmented view of the picture, Text2LIVE's `input_transforms` (datasets/image_dataset.py,
/// util/aug_utils.py) in its order: colour jitter (p = 0.1), horizontal flip (p = 0.5),
/// RandomScale (both sides × s, s ~ U[0.8, 1.2), truncated to integers), RandomSizeCrop (both
/// sides × c of the scaled size, c ~ U[0.85, 1), one factor for both so the aspect is kept, at a
/// uniformly random integer offset). Text2LIVE feeds that crop to the generator at its own size;
/// here it is then resized to the working size so views batch and the VAE gets a multiple of
/// its factor. So the crop covers fraction c of each side of the picture (≥ 0.85), and the scale
/// changes only how the crop was resampled (a blur when s < 1), not its extent.
public struct ViewTransform: Sendable, Equatable {
    /// nil when the jitter was not applied.
    public var jitter: ColourJitter?
    public var flipped: Bool
    public var scale: Double
    /// The scaled picture's size, and the crop's size and top-left corner in it.
    public var scaledHeight: Int, scaledWidth: Int
    public var cropHeight: Int, cropWidth: Int
    public var cropTop: Int, cropLeft: Int

    /// Draws a view's parameters for a picture of `height` × `width` (always the same number of
    /// draws, in a fixed order, so a setting does not shift the stream of later ones).
    static func sample(height: Int, width: Int, settings: AugmentationSettings, random: inout AugmentationRandom) -> ViewTransform {
        let applyJitter = random.unit() < settings.jitterProbability
        let strength = settings.jitterStrength
        let jitter = ColourJitter(brightness: Float(random.uniform(1 - strength, 1 + strength)),
                                  contrast: Float(random.uniform(1 - strength, 1 + strength)),
                                  saturation: Float(random.uniform(1 - strength, 1 + strength)),
                                  hue: Float(random.uniform(-strength, strength)), order: random.permutation(4))
        let flipped = random.unit() < settings.flipProbability
        let scale = random.uniform(settings.minimumScale, settings.maximumScale)
        let scaledHeight = max(Int(Double(height) * scale), 1), scaledWidth = max(Int(Double(width) * scale), 1)
        let cover = random.uniform(settings.minimumCropCover, 1)
        let cropHeight = max(Int(Double(scaledHeight) * cover), 1), cropWidth = max(Int(Double(scaledWidth) * cover), 1)
        let cropTop = random.integer(below: scaledHeight - cropHeight + 1)
        let cropLeft = random.integer(below: scaledWidth - cropWidth + 1)
        return ViewTransform(jitter: applyJitter ? jitter : nil, flipped: flipped, scale: scale,
                             scaledHeight: scaledHeight, scaledWidth: scaledWidth, cropHeight: cropHeight, cropWidth: cropWidth,
                             cropTop: cropTop, cropLeft: cropLeft)
    }

    /// The view of `picture` [1, H, W, C] at `height` × `width`; `colour: false` for masks
    /// (geometry only). Resampling is bilinear with antialiasing, as PIL's resize in Text2LIVE.
    public func apply(_ picture: MLXArray, height: Int, width: Int, colour: Bool = true) throws -> MLXArray {
        var x = picture
        if colour, let jitter { x = try jitter.apply(x) }
        if flipped { x = try x.flipped(axis: 2) }
        x = try x.resizedBilinear(height: scaledHeight, width: scaledWidth, antialias: true)
        x = try x.sliced(start: [0, cropTop, cropLeft, 0], stop: [x.dim(0), cropTop + cropHeight, cropLeft + cropWidth, x.dim(3)])
        return try x.resizedBilinear(height: height, width: width, antialias: true)
    }
}
