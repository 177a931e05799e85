import MLXCore
import NN

/// rosinality's ConvLayer (an nn.Sequential): optional blur before a stride-2 convolution, an
/// equalised convolution, the fused leaky ReLU. Keys follow the Sequential's indices: without
/// downsampling "0.weight", "1.bias"; with it the blur holds index 0 ("0.kernel", a constant),
/// so "1.weight", "2.bias".
final class ConvLayer: Module {
    let blurPlaceholder: BlurSlot?
    let convolution: EqualConv2d
    let activation: FusedLeakyReLU?
    let blurPad: (Int, Int)?

    init(_ input: Int, _ output: Int, kernelSize: Int, downsample: Bool = false, bias: Bool = true, activate: Bool = true,
         key: MLXArray) throws {
        if downsample {
            // p = (len(kernel) − factor) + (k − 1): (2, 2) for 3×3, (1, 1) for 1×1.
            let p = 2 + (kernelSize - 1)
            blurPad = ((p + 1) / 2, p / 2)
            blurPlaceholder = BlurSlot()
        } else {
            blurPad = nil
            blurPlaceholder = nil
        }
        convolution = try EqualConv2d(input, output, kernelSize: kernelSize, stride: downsample ? 2 : 1,
                                      padding: downsample ? 0 : kernelSize / 2, bias: bias && !activate, key: key)
        activation = activate ? try FusedLeakyReLU(output) : nil
    }

    override var keyOverrides: [String: String] {
        blurPad == nil ? ["convolution": "0", "activation": "1"] : ["blurPlaceholder": "0", "convolution": "1", "activation": "2"]
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        var y = x
        if let blurPad { y = try FIRFilter()(y, pad: blurPad) }
        y = try convolution(y)
        return try activation.map { try $0(y) } ?? y
    }
}

/// The blur's place in a ConvLayer's Sequential: no parameters (its kernel is a constant).
final class BlurSlot: Module {}

/// rosinality's ResBlock: two convolutions (the second downsampling) beside a downsampling 1×1
/// skip, summed and divided by √2.
final class ResBlock: Module {
    let conv1: ConvLayer
    let conv2: ConvLayer
    let skip: ConvLayer

    init(_ input: Int, _ output: Int, keys: [MLXArray]) throws {
        conv1 = try ConvLayer(input, input, kernelSize: 3, key: keys[0])
        conv2 = try ConvLayer(input, output, kernelSize: 3, downsample: true, key: keys[1])
        skip = try ConvLayer(input, output, kernelSize: 1, downsample: true, bias: false, activate: false, key: keys[2])
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        try (conv2(conv1(x)) + skip(x)) / Float(2).squareRoot()
    }
}
