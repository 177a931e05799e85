import MLXCore
import NN

/// rosinality's StyleGAN2 discriminator (model.py `Discriminator`), channels-last: a 1×1 ConvLayer
/// from RGB, ResBlocks down to 4×4, the minibatch standard deviation (group min(B, 4), one
/// feature), a 3×3 ConvLayer and two EqualLinear layers to one score per picture.
public final class StyleGAN2Discriminator: Module {
    public let size: Int
    /// Channels at resolutions 4, 8, …, size (the generator's table).
    public let channels: [Int]
    let convs: [Module]
    let finalConv: ConvLayer
    let finalLinear: [EqualLinear]

    public init(size: Int, channels: [Int], seed: UInt64) throws {
        let architecture = try StyleGAN2Architecture(size: size, styleDimension: 1, mappingLayers: 0, channels: channels)
        self.size = architecture.size
        self.channels = channels
        let levels = channels.count
        var keys = try Random.split(try Random.key(seed), count: 3 * levels + 4)
        func next() -> MLXArray { keys.removeFirst() }
        var convs: [Module] = [try ConvLayer(3, channels[levels - 1], kernelSize: 1, key: next())]
        for level in stride(from: levels - 1, to: 0, by: -1) {
            convs.append(try ResBlock(channels[level], channels[level - 1], keys: [next(), next(), next()]))
        }
        self.convs = convs
        finalConv = try ConvLayer(channels[0] + 1, channels[0], kernelSize: 3, key: next())
        finalLinear = [try EqualLinear(channels[0] * 16, channels[0], activation: true, key: next()), try EqualLinear(channels[0], 1, key: next())]
    }

    /// A discriminator with the weights of a state dict in rosinality's keys (blur kernels ignored).
    public convenience init(weights: [String: MLXArray], size: Int, channels: [Int], source: String) throws {
        try self.init(size: size, channels: channels, seed: 0)
        try load(weights: weights.filter { !$0.key.hasSuffix(".kernel") }, source: source)
    }

    /// Scores [B, 1] for pictures [B, size, size, 3].
    public func callAsFunction(_ pictures: MLXArray) throws -> MLXArray {
        guard pictures.ndim == 4, pictures.dim(1) == size, pictures.dim(2) == size, pictures.dim(3) == 3 else {
            throw StyleGANError.invalidInput("the discriminator takes [B, \(size), \(size), 3] pictures, got \(pictures.shape)")
        }
        var x = try (convs[0] as! ConvLayer)(pictures)
        for block in convs.dropFirst() { x = try (block as! ResBlock)(x) }
        x = try concatenated([x, try minibatchStandardDeviation(x)], axis: 3)
        x = try finalConv(x)
        // rosinality flattens NCHW: channels first, so the linear layer's weight columns match its files.
        let batch = x.dim(0)
        x = try x.transposed([0, 3, 1, 2]).reshaped([batch, -1])
        return try finalLinear[1](finalLinear[0](x))
    }

    /// The mean over features and positions of the standard deviation across groups of min(B, 4)
    /// pictures (sample b is member b / (B / G) of its group, as rosinality's view(G, −1, …)),
    /// broadcast as one extra channel.
    func minibatchStandardDeviation(_ x: MLXArray) throws -> MLXArray {
        let (batch, height, width, channels) = (x.dim(0), x.dim(1), x.dim(2), x.dim(3))
        let group = min(batch, 4)
        guard batch % group == 0 else {
            throw StyleGANError.invalidInput("the minibatch standard deviation needs a batch divisible by \(group), got \(batch)")
        }
        let grouped = try x.reshaped([group, batch / group, height, width, channels])
        let deviation = try sqrt(grouped.variance(axes: [0]) + 1e-8)  // [B/G, H, W, C]
        let feature = try deviation.mean(axes: [1, 2, 3], keepDims: true)  // [B/G, 1, 1, 1]
        return try feature.expandedDimensions(axis: 0).broadcast(to: [group, batch / group, height, width, 1]).reshaped([batch, height, width, 1])
    }
}
