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
        try convolution(x.reflectionPadded2d(padding))
    }
}
