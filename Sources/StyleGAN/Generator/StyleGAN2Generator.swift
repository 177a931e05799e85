import Foundation
import MLXCore
import NN

/// rosinality's StyleGAN2 generator (stylegan2-pytorch model.py `Generator`), channels-last:
/// z → mapping → W (or W+ given directly) → constant 4×4 input → conv1 + to_rgb1 → per resolution an
/// upsampling StyledConv, a StyledConv and a ToRGB whose output is added to the upsampled RGB skip.
/// Output [B, size, size, 3] in roughly [−1, 1], unclamped. Keys and file layouts are rosinality's,
/// so its checkpoints load and our saved generators load in PyTorch.
public final class StyleGAN2Generator: Module {
    public let architecture: StyleGAN2Architecture
    let style: MappingNetwork
    let input: ConstantInput
    let conv1: StyledConv
    let toRgb1: ToRGB
    let convs: [StyledConv]
    let toRgbs: [ToRGB]
    /// rosinality's `noises.noise_i` buffers (randomize_noise=False uses them); not trained.
    public private(set) var noiseBuffers: [MLXArray]
    /// The mean W of the checkpoint (rosinality's converted checkpoints and NADA store it), for truncation.
    public var latentAverage: MLXArray?

    /// A fresh generator with rosinality's initialisation, every draw from `seed`.
    public init(architecture a: StyleGAN2Architecture, seed: UInt64) throws {
        architecture = a
        var keys = try Random.split(try Random.key(seed), count: 8 + 6 * a.channels.count + a.noiseCount)
        func next(_ count: Int = 1) -> [MLXArray] {
            defer { keys.removeFirst(count) }
            return Array(keys.prefix(count))
        }
        style = try MappingNetwork(styleDimension: a.styleDimension, depth: a.mappingLayers, key: next()[0])
        input = try ConstantInput(channels: a.channels[0], key: next()[0])
        conv1 = try StyledConv(a.channels[0], a.channels[0], styleDimension: a.styleDimension, upsample: false, keys: next(2))
        toRgb1 = try ToRGB(a.channels[0], styleDimension: a.styleDimension, keys: next(2))
        var convs: [StyledConv] = [], toRgbs: [ToRGB] = []
        for index in 1..<a.channels.count {
            convs.append(try StyledConv(a.channels[index - 1], a.channels[index], styleDimension: a.styleDimension, upsample: true, keys: next(2)))
            convs.append(try StyledConv(a.channels[index], a.channels[index], styleDimension: a.styleDimension, upsample: false, keys: next(2)))
            toRgbs.append(try ToRGB(a.channels[index], styleDimension: a.styleDimension, keys: next(2)))
        }
        self.convs = convs
        self.toRgbs = toRgbs
        noiseBuffers = try (0..<a.noiseCount).map { index in
            try Random.normal([1, a.noiseSide(index), a.noiseSide(index), 1], key: next()[0])
        }
    }

    /// A generator with the weights of a state dict in rosinality's keys (see
    /// `StyleGAN2Checkpoint` for picking them out of a training checkpoint); `source` names it in errors.
    public convenience init(weights: [String: MLXArray], latentAverage: MLXArray? = nil, source: String) throws {
        let architecture = try StyleGAN2Architecture.inferred(from: weights, source: source)
        try self.init(architecture: architecture, seed: 0)
        try load(rosinalityWeights: weights, source: source)
        if let latentAverage {
            guard latentAverage.size == architecture.styleDimension else {
                throw StyleGANError.notAGenerator(source: source, reason: "'latent_avg' has shape \(latentAverage.shape), expected [\(architecture.styleDimension)]")
            }
            self.latentAverage = try latentAverage.reshaped([architecture.styleDimension]).asType(.float32)
        }
    }

    override public var keyOverrides: [String: String] { ["toRgb1": "to_rgb1", "toRgbs": "to_rgbs"] }

    /// Loads rosinality-layout weights: every parameter and noise buffer must be present with its
    /// shape; the blur kernels (rosinality's constant `kernel` buffers) are ignored.
    public func load(rosinalityWeights weights: [String: MLXArray], source: String) throws {
        let parameters = weights.filter { !$0.key.hasPrefix("noises.") && !$0.key.hasSuffix(".kernel") }
        try load(weights: parameters, source: source)
        noiseBuffers = try (0..<architecture.noiseCount).map { index in
            let key = "noises.noise_\(index)"
            guard let noise = weights[key] else { throw StyleGANError.notAGenerator(source: source, reason: "no tensor '\(key)'") }
            let side = architecture.noiseSide(index)
            guard noise.shape == [1, 1, side, side] else {
                throw StyleGANError.notAGenerator(source: source, reason: "'\(key)' has shape \(noise.shape), expected [1, 1, \(side), \(side)]")
            }
            return try noise.reshaped([1, side, side, 1]).asType(.float32)
        }
    }

    /// Every parameter and buffer in rosinality's keys and PyTorch layout, blur kernels included,
    /// so `Generator.load_state_dict(…, strict=True)` in rosinality's code accepts the file.
    public func weightsInRosinalityLayout() throws -> [String: MLXArray] {
        var weights = try weightsInFileLayout()
        for (index, noise) in noiseBuffers.enumerated() {
            weights["noises.noise_\(index)"] = try noise.reshaped([1, 1, noise.dim(1), noise.dim(2)])
        }
        // Blur(kernel, upsample_factor=2) and Upsample(kernel, factor=2) keep make_kernel([1,3,3,1]) × 4.
        let taps: [Float] = [1, 3, 3, 1]
        let kernel = try MLXArray(taps.flatMap { a in taps.map { b in a * b / 64 * 4 } }, shape: [4, 4])
        for index in 0..<toRgbs.count {
            weights["convs.\(2 * index).conv.blur.kernel"] = kernel
            weights["to_rgbs.\(index).upsample.kernel"] = kernel
        }
        return weights
    }

    /// w = mapping(z): [B, style_dim] → [B, style_dim].
    public func mapping(_ z: MLXArray) throws -> MLXArray {
        guard z.ndim == 2, z.dim(1) == architecture.styleDimension else {
            throw StyleGANError.invalidInput("z must be [B, \(architecture.styleDimension)], got \(z.shape)")
        }
        return try style(z.asType(.float32))
    }

    /// The mean of `count` mapped z (rosinality's mean_latent), for truncation when the checkpoint has no latent_avg.
    public func meanLatent(count: Int = 4096, seed: UInt64 = 0) throws -> MLXArray {
        try mapping(Random.normal([count, architecture.styleDimension], key: Random.key(seed))).mean(axes: [0])
    }

    /// Where the noise inputs come from.
    public enum Noise {
        /// The checkpoint's `noises.noise_i` (rosinality's randomize_noise=False): deterministic.
        case buffers
        /// Fresh N(0, 1) maps from a key.
        case random(MLXArray)
        /// Given maps, [B or 1, r, r, 1] each.
        case given([MLXArray])
    }

    /// Images [B, size, size, 3] from W+ codes [B, n_latent, style_dim] (already truncated if wanted).
    public func synthesize(_ latents: MLXArray, noise: Noise = .buffers) throws -> MLXArray {
        let a = architecture
        guard latents.ndim == 3, latents.dim(1) == a.latentCount, latents.dim(2) == a.styleDimension else {
            throw StyleGANError.invalidInput("W+ codes must be [B, \(a.latentCount), \(a.styleDimension)], got \(latents.shape)")
        }
        let batch = latents.dim(0)
        let noises: [MLXArray]
        switch noise {
        case .buffers:
            noises = noiseBuffers
        case .random(let key):
            let keys = try Random.split(key, count: a.noiseCount)
            noises = try (0..<a.noiseCount).map { try Random.normal([batch, a.noiseSide($0), a.noiseSide($0), 1], key: keys[$0]) }
        case .given(let maps):
            guard maps.count == a.noiseCount else { throw StyleGANError.invalidInput("need \(a.noiseCount) noise maps, got \(maps.count)") }
            noises = maps
        }
        func code(_ index: Int) throws -> MLXArray { try latents.index(index, axis: 1) }
        var x = try conv1(input(batch: batch), style: code(0), noise: noises[0])
        var skip = try toRgb1(x, style: code(1), skip: nil)
        var index = 1
        for level in 0..<toRgbs.count {
            x = try convs[2 * level](x, style: code(index), noise: noises[2 * level + 1])
            x = try convs[2 * level + 1](x, style: code(index + 1), noise: noises[2 * level + 2])
            skip = try toRgbs[level](x, style: code(index + 2), skip: skip)
            index += 2
        }
        return skip
    }

    /// rosinality's forward for z codes: mapping, truncation w_avg + ψ(w − w_avg) (ψ < 1 needs
    /// `latentAverage` or `truncationLatent`), and style mixing — a second batch of codes takes over
    /// from W+ index `mixingIndex` on.
    public func callAsFunction(_ z: MLXArray, mixing second: MLXArray? = nil, mixingIndex: Int? = nil, truncation psi: Float = 1,
                               truncationLatent: MLXArray? = nil, noise: Noise = .buffers) throws -> MLXArray {
        var styles = [try mapping(z)]
        if let second { styles.append(try mapping(second)) }
        if psi < 1 {
            guard let average = truncationLatent ?? latentAverage else {
                throw StyleGANError.invalidInput("truncation needs the generator's latent_avg (this checkpoint has none; use meanLatent())")
            }
            styles = try styles.map { try average + ($0 - average) * psi }
        }
        return try synthesize(latents(styles, mixingIndex: mixingIndex), noise: noise)
    }

    /// W+ codes from one or two W codes: the first for indices < mixingIndex, the second after.
    public func latents(_ styles: [MLXArray], mixingIndex: Int? = nil) throws -> MLXArray {
        let n = architecture.latentCount
        let repeated = { (w: MLXArray, count: Int) throws -> MLXArray in
            try w.expandedDimensions(axis: 1).broadcast(to: [w.dim(0), count, w.dim(1)])
        }
        guard styles.count == 2 else { return try repeated(styles[0], n) }
        let split = mixingIndex ?? n / 2
        guard (1..<n).contains(split) else { throw StyleGANError.invalidInput("the mixing index must lie in 1…\(n - 1), got \(split)") }
        return try concatenated([repeated(styles[0], split), repeated(styles[1], n - split)], axis: 1)
    }
}
