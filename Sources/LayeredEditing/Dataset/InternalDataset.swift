import MLXCore

/// One step's inputs from the internal dataset.
public struct InternalBatch {
    public let step: Int
    /// Augmented views [V, H, W, 3] in [0, 1] at the working size.
    public let views: MLXArray
    /// The user mask under the same geometric transforms, [V, H, W, 1] in [0, 1].
    public let viewMasks: MLXArray?
    /// The whole picture [1, H, W, 3], unaugmented, at steps that are multiples of `fullPictureEvery`
    /// (Text2LIVE runs it through the generator as its own batch, so its BatchNorm statistics are its own).
    public let fullPicture: MLXArray?
    public let fullPictureMask: MLXArray?
    public let transforms: [ViewTransform]
}

/// Text2LIVE's internal dataset (datasets/image_dataset.py SingleImageDataset): every step, views
/// of the one input picture under random augmentations, plus the picture itself every 75 steps.
/// Deterministic: the batch of a step depends only on (seed, step).
public struct InternalDataset {
    public let picture: MLXArray
    public let mask: MLXArray?
    public let size: WorkingSize
    public let settings: AugmentationSettings
    public let seed: UInt64

    /// `picture` [1, H, W, 3] in [0, 1] at any size, resized to `size` (bilinear with
    /// antialiasing, like Text2LIVE's PIL resize); `mask` [1, H, W, 1] in [0, 1] of the picture's size.
    public init(picture: MLXArray, mask: MLXArray? = nil, size: WorkingSize, settings: AugmentationSettings = AugmentationSettings(), seed: UInt64) throws {
        try settings.validate()
        guard picture.ndim == 4, picture.dim(0) == 1, picture.dim(3) == 3, picture.dim(1) > 0, picture.dim(2) > 0 else {
            throw LayeredEditingError.invalidShape(what: "input picture", shape: picture.shape, expected: "[1, H, W, 3]")
        }
        if let mask, mask.shape != [1, picture.dim(1), picture.dim(2), 1] {
            throw LayeredEditingError.invalidShape(what: "mask", shape: mask.shape, expected: "[1, \(picture.dim(1)), \(picture.dim(2)), 1] (the picture's size)")
        }
        self.picture = try picture.asType(.float32).resizedBilinear(height: size.height, width: size.width, antialias: true)
        self.mask = try mask.map { try $0.asType(.float32).resizedBilinear(height: size.height, width: size.width, antialias: true) }
        self.size = size
        self.settings = settings
        self.seed = seed
    }

    /// The batch of `step` (0, 1, 2, …).
    public func batch(step: Int) throws -> InternalBatch {
        guard step >= 0 else { throw LayeredEditingError.invalidSetting(name: "step", value: "\(step)", expected: "a step ≥ 0") }
        var transforms: [ViewTransform] = []
        var views: [MLXArray] = [], masks: [MLXArray] = []
        for view in 0..<settings.viewsPerStep {
            var random = AugmentationRandom(seed: seed, step: step, view: view)
            let transform = ViewTransform.sample(height: size.height, width: size.width, settings: settings, random: &random)
            transforms.append(transform)
            views.append(try transform.apply(picture, height: size.height, width: size.width))
            if let mask { masks.append(try transform.apply(mask, height: size.height, width: size.width, colour: false)) }
        }
        let full = step % settings.fullPictureEvery == 0
        return InternalBatch(step: step, views: try concatenated(views, axis: 0), viewMasks: mask == nil ? nil : try concatenated(masks, axis: 0),
                             fullPicture: full ? picture : nil, fullPictureMask: full ? mask : nil, transforms: transforms)
    }
}
