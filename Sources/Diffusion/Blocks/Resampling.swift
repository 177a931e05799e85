import MLXCore
import NN

/// diffusers' Downsample2D with a conv: stride-2 3×3. `padding` 1 (UNet) pads symmetrically;
/// padding 0 (VAE encoder) pads one row and column on the bottom/right first, as diffusers does.
final class Downsample2D: Module {
    let conv: Conv2d
    let asymmetricPadding: Bool

    init(channels: Int, padding: Int) throws {
        conv = try Conv2d(channels, channels, kernelSize: 3, stride: 2, padding: padding)
        asymmetricPadding = padding == 0
    }

    func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        guard asymmetricPadding else { return try conv(x) }
        // The VAE encoder's downsampling runs with gradients in edit, adapt-stylegan and RGB
        // optimisation, where MLX's CPU strided convolution's backward was half of an edit step's time.
        return try validStride2Conv2d(x.padded(axes: [1, 2], low: [0, 0], high: [1, 1]), conv.weight.value, bias: conv.bias?.value)
    }
}

/// diffusers' Upsample2D with a conv: nearest-neighbour ×2 (or to an explicit size), then 3×3 conv.
final class Upsample2D: Module {
    let conv: Conv2d

    init(channels: Int) throws {
        conv = try Conv2d(channels, channels, kernelSize: 3, padding: 1)
    }

    func callAsFunction(_ x: MLXArray, size: (height: Int, width: Int)? = nil) throws -> MLXArray {
        try conv(nearestUpsample(x, size: size ?? (x.dim(1) * 2, x.dim(2) * 2)))
    }
}

/// torch.nn.functional.interpolate(mode="nearest") on channels-last [N, H, W, C]:
/// output pixel i reads input floor(i · in / out).
func nearestUpsample(_ x: MLXArray, size: (height: Int, width: Int)) throws -> MLXArray {
    let (height, width) = (x.dim(1), x.dim(2))
    if size.height == 2 * height, size.width == 2 * width {
        return try x.repeated(2, axis: 1).repeated(2, axis: 2)
    }
    let rows = try MLXArray((0..<size.height).map { Int32($0 * height / size.height) })
    let columns = try MLXArray((0..<size.width).map { Int32($0 * width / size.width) })
    return try x.take(rows, axis: 1).take(columns, axis: 2)
}
