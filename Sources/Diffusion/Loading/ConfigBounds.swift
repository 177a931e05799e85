/// How large a model's config may say it is: each range holds every published Stable Diffusion
/// 1.x/2.x/XL-class value with room to spare, and keeps what follows from it (weight shapes,
/// products, Int32 shapes for MLX) far from overflow. A config outside them is refused by name
/// before anything is built; the weights file then has to agree shape by shape.
public enum ConfigBounds {
    public static let channels = 1...16_384
    /// Image or latent channels (3, 4, 8, 9 for inpainting…).
    public static let ioChannels = 1...64
    public static let blocks = 1...8
    public static let layersPerBlock = 1...16
    public static let transformerLayers = 1...32
    public static let heads = 1...1_024
    public static let groups = 1...1_024
    public static let latentSampleSize = 1...1_024
    public static let downsamplePadding = 0...3
    public static let textLayers = 1...128
    public static let textWidth = 1...65_536
    public static let vocabulary = 1...1_048_576
    public static let textPositions = 1...4_096
    public static let trainTimesteps = 2...100_000
}
