import MLXCore
import NN

/// Text2LIVE's conv(…, pad="reflection") (models/backbone/common.py): nn.Sequential of
/// ReflectionPad2d((k − 1) / 2) at index 0 — present even for 1×1 kernels, as ReflectionPad2d(0) —
/// and an unpadded Conv2d at index 1, hence the weight key "1.weight".
final class ReflectionPaddedConvolution: Module {
    let convolution: Conv2d
    let padding: Int

    init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1) throws {
        convolution = try Conv2d(inputChannels, outputChannels, kernelSize: kernelSize, stride: stride, padding: 0)
        padding = (kernelSize - 1) / 2
    }

    override var keyOverrides: [String: String] { ["convolution": "1"] }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let padded = try x.reflectionPadded2d(padding)
        if convolution.stride == 2 {
            // The downsampling convolutions: MLX's CPU strided convolution and its gradient are the slow path.
            return try validStride2Conv2d(padded, convolution.weight.value, bias: convolution.bias?.value)
        }
        guard convolution.stride == 1, padding > 0 else { return try convolution(padded) }
        // A valid convolution of the padded map is the interior of its same (zero-padded)
        // convolution: one extra ring of outputs buys the CPU's im2col-free (Winograd) kernel,
        // 3–4× faster than MLX's valid convolution for 128 channels (measured at 128², both passes).
        let (height, width) = (x.dim(1), x.dim(2))
        let same = try sameConv2d(padded, convolution.weight.value, bias: convolution.bias?.value)
        return try same.sliced(start: [0, padding, padding, 0], stop: [same.dim(0), padding + height, padding + width, same.dim(3)])
    }
}
