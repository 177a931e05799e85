import MLXCore
import NN

/// rosinality's ModulatedConv2d: the style s = modulation(w) (an EqualLinear, bias initialised to 1)
/// scales the kernel's input channels, demodulation rescales each output channel to unit norm.
/// Computed in the non-fused form (rosinality's `fused=False`, mathematically the same as its
/// grouped convolution): conv(x · s) · d with d[b, o] = rsqrt(Σ_i s[b,i]² Σ_k (scale·W[o,i,k])² + 1e-8).
/// One shared-weight convolution over the batch instead of B per-sample kernels: a plain convolution
/// for MLX's kernels, and gradients to W, s and x come from ordinary ops.
/// Upsampling: transposed convolution with stride 2, then the [1, 3, 3, 1] blur (×4, pad (1, 1)).
/// Weight [1, out, in, k, k] in files (rosinality's), [out, k, k, in] in memory.
final class ModulatedConv2d: Module {
    let weight: Parameter
    let modulation: EqualLinear
    let demodulate: Bool
    let upsample: Bool

    init(_ input: Int, _ output: Int, kernelSize: Int, styleDimension: Int, demodulate: Bool = true, upsample: Bool = false,
         keys: [MLXArray]) throws {
        weight = Parameter(try Random.normal([output, kernelSize, kernelSize, input], key: keys[0]), fileLayout: .modulatedConvolution)
        modulation = try EqualLinear(styleDimension, input, biasInit: 1, key: keys[1])
        self.demodulate = demodulate
        self.upsample = upsample
    }

    var kernelSize: Int { weight.value.dim(1) }
    var inputChannels: Int { weight.value.dim(3) }
    var outputChannels: Int { weight.value.dim(0) }
    var scale: Float { 1 / Float(inputChannels * kernelSize * kernelSize).squareRoot() }

    /// x [B, H, W, in], w [B, style_dim] → [B, H′, W′, out].
    func callAsFunction(_ x: MLXArray, style w: MLXArray) throws -> MLXArray {
        let s = try modulation(w)  // [B, in]
        let kernel = try weight.value * scale
        let modulated = try x * s.expandedDimensions(axes: [1, 2])
        var y: MLXArray
        if upsample {
            // PyTorch's conv_transpose2d(stride 2, padding 0) with the kernel laid out (in, out, k, k),
            // computed as a "same" convolution of the zero-inserted input ([0, x₀, 0, x₁, …, 0],
            // 2H + 1 samples) with the spatially flipped kernel: the same sums, through the fast
            // same-convolution kernels (MLX's CPU transposed convolution took 20× longer here).
            y = try sameConv2d(Self.zeroInserted(modulated), kernel.flipped(axis: 1).flipped(axis: 2))
        } else {
            y = try sameConv2d(modulated, kernel)
        }
        if demodulate {
            // Σ_k W[o,i,k]² as [in, out]; s² [B, in] · that = Σ_i s² Σ_k W² per (b, o).
            let energy = try square(kernel).sum(axes: [1, 2]).transposed()
            let coefficients = try rsqrt(matmul(square(s), energy) + 1e-8)
            y = try y * coefficients.expandedDimensions(axes: [1, 2])
        }
        if upsample {
            // Blur(kernel, pad=(1, 1), upsample_factor=2): the kernel × 4 undoes the zeros' dimming.
            y = try FIRFilter(gain: 4)(y, pad: (1, 1))
        }
        return y
    }
}

extension ModulatedConv2d {
    /// [N, H, W, C] → [N, 2H + 1, 2W + 1, C] with the samples at odd positions and zeros elsewhere.
    static func zeroInserted(_ x: MLXArray) throws -> MLXArray {
        var y = x
        for axis in [1, 2] {
            let expanded = try y.expandedDimensions(axis: axis + 1)
            var zeroShape = expanded.shape
            zeroShape[axis + 1] = 1
            var shape = y.shape
            shape[axis] *= 2
            y = try concatenated([expanded, try zeros(zeroShape, dtype: y.dtype)], axis: axis + 1).reshaped(shape)
            y = try y.padded(axes: [axis], low: [1], high: [0])
        }
        return y
    }
}

/// rosinality's NoiseInjection: x + weight · noise, one learnt scalar (initialised to 0).
final class NoiseInjection: Module {
    let weight: Parameter

    init(initialWeight: Float = 0) throws { weight = Parameter(try full([1], value: initialWeight)) }

    func callAsFunction(_ x: MLXArray, noise: MLXArray) throws -> MLXArray {
        try x + weight.value * noise
    }
}
