/// The internal dataset's settings, defaults from Text2LIVE's configs/image_config.yaml.
public struct AugmentationSettings: Sendable, Equatable, Codable {
    /// `jitter_p`: probability of the colour jitter.
    public var jitterProbability = 0.1
    /// ColorJitter's brightness/contrast/saturation/hue argument (all 0.1 in Text2LIVE).
    public var jitterStrength = 0.1
    /// `flip_p`.
    public var flipProbability = 0.5
    /// `scale_min`, `scale_max`.
    public var minimumScale = 0.8
    public var maximumScale = 1.2
    /// `crops_min_cover`: the crop keeps at least this fraction of each side.
    public var minimumCropCover = 0.85
    /// `source_image_every`: the whole picture, unaugmented, joins the batch at steps 0, 75, 150, ….
    public var fullPictureEvery = 75
    /// Augmented views per step. Text2LIVE takes 1 (its `n_aug` 16 are CLIP's augmentations of
    /// the *output*, made inside the loss, not views of the input).
    public var viewsPerStep = 1

    public init() {}

    enum CodingKeys: String, CodingKey {
        case jitterProbability = "jitter_probability", jitterStrength = "jitter_strength", flipProbability = "flip_probability"
        case minimumScale = "minimum_scale", maximumScale = "maximum_scale", minimumCropCover = "minimum_crop_cover"
        case fullPictureEvery = "full_picture_every", viewsPerStep = "views_per_step"
    }

    func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            if !ok { throw LayeredEditingError.invalidSetting(name: name, value: "\(value)", expected: expected) }
        }
        try check((0...1).contains(jitterProbability), "jitter_probability", jitterProbability, "a probability in [0, 1]")
        try check((0..<1).contains(jitterStrength), "jitter_strength", jitterStrength, "a value in [0, 1)")
        try check((0...1).contains(flipProbability), "flip_probability", flipProbability, "a probability in [0, 1]")
        try check(minimumScale > 0 && minimumScale <= maximumScale && maximumScale <= 16, "minimum_scale/maximum_scale",
                  "\(minimumScale)/\(maximumScale)", "0 < minimum ≤ maximum ≤ 16")
        try check(minimumCropCover > 0 && minimumCropCover <= 1, "minimum_crop_cover", minimumCropCover, "a fraction in (0, 1]")
        try check(fullPictureEvery >= 1, "full_picture_every", fullPictureEvery, "at least 1")
        try check((1...1024).contains(viewsPerStep), "views_per_step", viewsPerStep, "1...1024")
    }
}
