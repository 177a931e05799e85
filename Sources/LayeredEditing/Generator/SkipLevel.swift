import MLXCore
import NN

/// One level of Deep Image Prior's "skip" network as Text2LIVE builds it (models/backbone/skip.py).
/// Keys follow its nn.Sequential numbering, which starts at "1" (common.py's `add` names a new
/// module str(len + 1)); activations and the upsampler hold no weights but keep their numbers:
///
///     1     Concat(skip "1.0", deeper "1.1")
///     2     BatchNorm over the concatenation (no activation after it)
///     3     3×3 conv (reflection padded) to u;   4 BatchNorm;   5 LeakyReLU(0.2)
///     6     1×1 conv u → u;   7 BatchNorm — except at level 0, whose 7 is the LeakyReLU;   8 LeakyReLU
final class SkipLevel: Module {
    let skip: SkipBranch
    let deeper: DeeperBranch
    let concatenationNorm: BatchNorm
    let upConvolution: ReflectionPaddedConvolution
    let upNorm: BatchNorm
    let pointwiseConvolution: ReflectionPaddedConvolution
    /// skip.py adds this norm only `if i > 0`.
    let pointwiseNorm: BatchNorm?

    init(level: Int, inputChannels: Int, configuration c: SkipGeneratorConfiguration) throws {
        let deepest = level == c.scales - 1
        skip = try SkipBranch(inputChannels: inputChannels, channels: c.skipChannels)
        deeper = try DeeperBranch(level: level, inputChannels: inputChannels, configuration: c)
        // The deeper branch ends in its inner level's u channels, or in d at the deepest level.
        let concatenated = c.skipChannels + (deepest ? c.downChannels : c.upChannels)
        concatenationNorm = try BatchNorm(concatenated)
        upConvolution = try ReflectionPaddedConvolution(concatenated, c.upChannels, kernelSize: 3)
        upNorm = try BatchNorm(c.upChannels)
        pointwiseConvolution = try ReflectionPaddedConvolution(c.upChannels, c.upChannels, kernelSize: 1)
        pointwiseNorm = level > 0 ? try BatchNorm(c.upChannels) : nil
    }

    override var keyOverrides: [String: String] {
        ["skip": "1.0", "deeper": "1.1", "concatenationNorm": "2", "upConvolution": "3", "upNorm": "4",
         "pointwiseConvolution": "6", "pointwiseNorm": "7"]
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        var h = try SkipLevel.concatenatedCentreCropped(try skip(x), try deeper(x))
        h = try concatenationNorm(h)
        h = try leakyRelu(upNorm(upConvolution(h)), negativeSlope: 0.2)
        h = try pointwiseConvolution(h)
        if let pointwiseNorm { h = try pointwiseNorm(h) }
        return try leakyRelu(h, negativeSlope: 0.2)
    }

    /// common.py's Concat: when the branches' sizes differ (an odd side n gives ⌈n/2⌉ after the
    /// stride-2 conv and 2⌈n/2⌉ = n + 1 after upsampling), each is cropped to the smaller size
    /// starting at (size − smaller) / 2 (rounded down), then joined along channels, skip first.
    static func concatenatedCentreCropped(_ a: MLXArray, _ b: MLXArray) throws -> MLXArray {
        let height = min(a.dim(1), b.dim(1)), width = min(a.dim(2), b.dim(2))
        func cropped(_ x: MLXArray) throws -> MLXArray {
            let top = (x.dim(1) - height) / 2, left = (x.dim(2) - width) / 2
            if top == 0, left == 0, x.dim(1) == height, x.dim(2) == width { return x }
            return try x.sliced(axis: 1, top..<(top + height)).sliced(axis: 2, left..<(left + width))
        }
        return try concatenated([try cropped(a), try cropped(b)], axis: 3)
    }
}

/// skip.py's `skip` branch: 1×1 conv (behind ReflectionPad2d(0)) "1", BatchNorm "2", LeakyReLU "3".
final class SkipBranch: Module {
    let convolution: ReflectionPaddedConvolution
    let norm: BatchNorm

    init(inputChannels: Int, channels: Int) throws {
        convolution = try ReflectionPaddedConvolution(inputChannels, channels, kernelSize: 1)
        norm = try BatchNorm(channels)
    }

    override var keyOverrides: [String: String] { ["convolution": "1", "norm": "2"] }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        try leakyRelu(norm(convolution(x)), negativeSlope: 0.2)
    }
}

/// skip.py's `deeper` branch: 3×3 stride-2 conv "1", BatchNorm "2", LeakyReLU "3", 3×3 conv "4",
/// BatchNorm "5", LeakyReLU "6", the next level "7" (absent at the deepest level), then bilinear
/// ×2 upsampling (align_corners=False), "8" or "7".
final class DeeperBranch: Module {
    let downConvolution: ReflectionPaddedConvolution
    let downNorm: BatchNorm
    let convolution: ReflectionPaddedConvolution
    let norm: BatchNorm
    let inner: SkipLevel?

    init(level: Int, inputChannels: Int, configuration c: SkipGeneratorConfiguration) throws {
        downConvolution = try ReflectionPaddedConvolution(inputChannels, c.downChannels, kernelSize: 3, stride: 2)
        downNorm = try BatchNorm(c.downChannels)
        convolution = try ReflectionPaddedConvolution(c.downChannels, c.downChannels, kernelSize: 3)
        norm = try BatchNorm(c.downChannels)
        inner = level < c.scales - 1 ? try SkipLevel(level: level + 1, inputChannels: c.downChannels, configuration: c) : nil
    }

    override var keyOverrides: [String: String] { ["downConvolution": "1", "downNorm": "2", "convolution": "4", "norm": "5", "inner": "7"] }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        var h = try leakyRelu(downNorm(downConvolution(x)), negativeSlope: 0.2)
        h = try leakyRelu(norm(convolution(h)), negativeSlope: 0.2)
        if let inner { h = try inner(h) }
        return try h.upsampledBilinear2x()
    }
}
