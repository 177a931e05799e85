import MLXCore
import NN

/// rosinality's StyledConv: modulated convolution (upsampling or not), noise, fused leaky ReLU.
final class StyledConv: Module {
    let conv: ModulatedConv2d
    let noise: NoiseInjection
    let activate: FusedLeakyReLU

    init(_ input: Int, _ output: Int, styleDimension: Int, upsample: Bool, keys: [MLXArray]) throws {
        conv = try ModulatedConv2d(input, output, kernelSize: 3, styleDimension: styleDimension, upsample: upsample, keys: keys)
        noise = try NoiseInjection()
        activate = try FusedLeakyReLU(output)
    }

    func callAsFunction(_ x: MLXArray, style: MLXArray, noise picture: MLXArray) throws -> MLXArray {
        try activate(noise(conv(x, style: style), noise: picture))
    }
}

/// rosinality's ToRGB: a modulated 1×1 convolution to 3 channels without demodulation, a bias,
/// plus the previous resolution's RGB upsampled with the [1, 3, 3, 1] kernel (×4, pad (2, 1)).
final class ToRGB: Module {
    let conv: ModulatedConv2d
    /// [1, 3, 1, 1] in files, [1, 1, 1, 3] in memory.
    let bias: Parameter

    init(_ input: Int, styleDimension: Int, keys: [MLXArray]) throws {
        conv = try ModulatedConv2d(input, 3, kernelSize: 1, styleDimension: styleDimension, demodulate: false, keys: keys)
        bias = Parameter(try zeros([1, 1, 1, 3]), fileLayout: .convolution)
    }

    func callAsFunction(_ x: MLXArray, style: MLXArray, skip: MLXArray?) throws -> MLXArray {
        let rgb = try conv(x, style: style) + bias.value
        guard let skip else { return rgb }
        return try rgb + FIRFilter(gain: 4)(skip, up: 2, pad: (2, 1))
    }
}

/// rosinality's ConstantInput: a learnt [1, C, 4, 4] tensor repeated over the batch.
final class ConstantInput: Module {
    let input: Parameter

    init(channels: Int, key: MLXArray) throws {
        input = Parameter(try Random.normal([1, 4, 4, channels], key: key), fileLayout: .convolution)
    }

    func callAsFunction(batch: Int) throws -> MLXArray {
        try input.value.broadcast(to: [batch] + Array(input.value.shape.dropFirst()))
    }
}

/// PixelNorm, the first entry of rosinality's mapping network (no parameters; it holds index 0 so
/// the linear layers are style.1 … style.n as in the files).
final class PixelNorm: Module {
    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        try x * rsqrt(square(x).mean(axes: [-1], keepDims: true) + 1e-8)
    }
}

/// The mapping network z → w: PixelNorm, then `n` EqualLinear layers (lr_mul 0.01) with the fused
/// leaky ReLU; keys "style.1…n" through the module list whose entry 0 is the PixelNorm.
final class MappingNetwork: Module {
    let layers: [Module]

    init(styleDimension: Int, depth: Int, key: MLXArray) throws {
        let keys = try Random.split(key, count: max(depth, 1))
        layers = [PixelNorm()] + (try (0..<depth).map {
            try EqualLinear(styleDimension, styleDimension, learningRateMultiplier: 0.01, activation: true, key: keys[$0])
        })
    }

    override var keyOverrides: [String: String] { ["layers": ""] }

    func callAsFunction(_ z: MLXArray) throws -> MLXArray {
        var x = try (layers[0] as! PixelNorm)(z)
        for layer in layers.dropFirst() { x = try (layer as! EqualLinear)(x) }
        return x
    }
}
