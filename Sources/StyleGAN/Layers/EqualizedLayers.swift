import MLXCore
import NN

/// StyleGAN2's equalised learning rate (rosinality's EqualLinear / EqualConv2d): weights are stored
/// as N(0, 1) draws (÷ lr_mul) and scaled at run time by lr_mul / √fan_in, so every layer learns at
/// the same pace under Adam; biases are scaled by lr_mul.

/// leaky_relu(x + b, 0.2) · √2 (rosinality's fused_leaky_relu), the bias on the last axis.
func fusedLeakyReLU(_ x: MLXArray, bias: MLXArray?) throws -> MLXArray {
    let shifted = try bias.map { try x + $0 } ?? x
    return try leakyRelu(shifted, negativeSlope: 0.2) * Float(2).squareRoot()
}

/// rosinality's FusedLeakyReLU: a learnt bias, then the scaled leaky ReLU (key "bias").
final class FusedLeakyReLU: Module {
    let bias: Parameter

    init(_ channels: Int) throws {
        bias = Parameter(try zeros([channels]))
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        try fusedLeakyReLU(x, bias: bias.value)
    }
}

/// y = x (W · lr_mul/√in)ᵀ + b · lr_mul, optionally followed by the fused leaky ReLU (whose bias
/// is then this layer's bias, as rosinality applies it).
final class EqualLinear: Module {
    let weight: Parameter
    let bias: Parameter?
    let learningRateMultiplier: Float
    let activation: Bool

    init(_ input: Int, _ output: Int, bias: Bool = true, biasInit: Float = 0, learningRateMultiplier: Float = 1, activation: Bool = false,
         key: MLXArray) throws {
        weight = Parameter(try Random.normal([output, input], key: key) / learningRateMultiplier)
        self.bias = bias ? Parameter(try full([output], value: biasInit)) : nil
        self.learningRateMultiplier = learningRateMultiplier
        self.activation = activation
    }

    var scale: Float { learningRateMultiplier / Float(weight.value.dim(1)).squareRoot() }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let y = try matmul(x, (weight.value * scale).transposed())
        let scaledBias = try bias.map { try $0.value * learningRateMultiplier }
        if activation { return try fusedLeakyReLU(y, bias: scaledBias) }
        return try scaledBias.map { try y + $0 } ?? y
    }
}

/// conv2d(x, W / √(in·k²), b) on channels-last input; weight [out, k, k, in] in memory,
/// [out, in, k, k] in files.
final class EqualConv2d: Module {
    let weight: Parameter
    let bias: Parameter?
    let stride: Int
    let padding: Int

    init(_ input: Int, _ output: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true, key: MLXArray) throws {
        weight = Parameter(try Random.normal([output, kernelSize, kernelSize, input], key: key), fileLayout: .convolution)
        self.bias = bias ? Parameter(try zeros([output])) : nil
        self.stride = stride
        self.padding = padding
    }

    var scale: Float { 1 / Float(weight.value.dim(1) * weight.value.dim(2) * weight.value.dim(3)).squareRoot() }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let kernel = try weight.value * scale
        let k = weight.value.dim(1)
        if stride == 1, k % 2 == 1, padding == k / 2 {
            return try sameConv2d(x, kernel, bias: bias?.value)
        }
        if stride == 2, padding == 0, k % 2 == 1 {
            // MLX's CPU strided convolution and its gradient were the discriminator's bottleneck.
            return try validStride2Conv2d(x, kernel, bias: bias?.value)
        }
        let y = try conv2d(x, kernel, stride: stride, padding: padding)
        return try bias.map { try y + $0.value } ?? y
    }
}
