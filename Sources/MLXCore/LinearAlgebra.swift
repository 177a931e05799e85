import CMLX

/// Matrix product with numpy broadcasting of leading (batch) dimensions.
public func matmul(_ a: MLXArray, _ b: MLXArray) throws -> MLXArray { try binary(MLXC_MATMUL, a, b) }

/// alpha · (a @ b) + beta · c in one kernel (a Linear layer's `x @ Wᵀ + b`).
public func addmm(_ c: MLXArray, _ a: MLXArray, _ b: MLXArray, alpha: Float = 1, beta: Float = 1) throws -> MLXArray {
    try withHandles([c, a, b]) { h in try produce { mlxc_addmm(h[0], h[1], h[2], alpha, beta, &$0) } }
}

/// N-d convolution, channels-last: input [N, spatial..., C_in], weight [C_out, kernel..., C_in / groups].
/// `padding` is symmetric; `paddingHigh` (if given) sets the high side separately.
public func convolution(
    _ input: MLXArray, _ weight: MLXArray, stride: [Int], padding: [Int], paddingHigh: [Int]? = nil,
    dilation: [Int]? = nil, groups: Int = 1
) throws -> MLXArray {
    let n = stride.count
    let dil = dilation ?? Array(repeating: 1, count: n)
    let high = paddingHigh ?? padding
    guard padding.count == n, high.count == n, dil.count == n else {
        throw MLXError("convolution: stride, padding and dilation need one entry per spatial dimension (\(n))")
    }
    let (s, lo, hi, d) = (stride.map(Int32.init), padding.map(Int32.init), high.map(Int32.init), dil.map(Int32.init))
    return try withHandles([input, weight]) { h in
        try produce { mlxc_conv(h[0], h[1], s, lo, hi, d, Int32(n), Int32(groups), &$0) }
    }
}

public func conv1d(_ input: MLXArray, _ weight: MLXArray, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) throws -> MLXArray {
    try convolution(input, weight, stride: [stride], padding: [padding], dilation: [dilation], groups: groups)
}

public func conv2d(_ input: MLXArray, _ weight: MLXArray, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) throws -> MLXArray {
    try convolution(input, weight, stride: [stride, stride], padding: [padding, padding], dilation: [dilation, dilation], groups: groups)
}

/// Stride-1 2-D convolution with "same" padding ((k − 1) / 2, k odd) plus an optional bias, the
/// shape of nearly every convolution in Stable Diffusion. The CPU path avoids MLX's im2col copy
/// (CMLX same_conv.cpp): same values up to summation order, less time and memory.
public func sameConv2d(_ input: MLXArray, _ weight: MLXArray, bias: MLXArray? = nil) throws -> MLXArray {
    guard let bias else {
        return try withHandles([input, weight]) { h in try produce { mlxc_same_conv2d(h[0], h[1], nil, &$0) } }
    }
    return try withHandles([input, weight, bias]) { h in try produce { mlxc_same_conv2d(h[0], h[1], h[2], &$0) } }
}

/// Valid (unpadded) stride-2 2-D convolution with an odd square kernel plus an optional bias,
/// channels-last: the same convolution read at every other valid position (a 1×1 kernel needs no
/// neighbours, so the input is subsampled first). 4× the multiplications of a strided kernel, yet
/// faster forward and backward on the CPU, where MLX's strided convolution and its gradient (a
/// transposed convolution) are the slow path: the StyleGAN discriminator ran 2.4× faster this way.
public func validStride2Conv2d(_ input: MLXArray, _ weight: MLXArray, bias: MLXArray? = nil) throws -> MLXArray {
    let k = weight.dim(1)
    guard input.ndim == 4, weight.ndim == 4, k % 2 == 1, weight.dim(2) == k, input.dim(1) >= k, input.dim(2) >= k else {
        throw MLXError("validStride2Conv2d: input \(input.shape) and weight \(weight.shape) must be [N, H, W, C] and [O, k, k, C], k odd, H and W ≥ k")
    }
    func everyOther(from start: Int, count: Int) throws -> MLXArray {
        try MLXArray(Array(Swift.stride(from: start, to: start + 2 * count - 1, by: 2)).map(Int32.init))
    }
    let rows = (input.dim(1) - k) / 2 + 1, columns = (input.dim(2) - k) / 2 + 1
    let y: MLXArray
    if k == 1 {
        y = try sameConv2d(input.take(everyOther(from: 0, count: rows), axis: 1).take(everyOther(from: 0, count: columns), axis: 2), weight)
    } else {
        y = try sameConv2d(input, weight).take(everyOther(from: k / 2, count: rows), axis: 1).take(everyOther(from: k / 2, count: columns), axis: 2)
    }
    return try bias.map { try y + $0 } ?? y
}

/// Whether `sameConv2d` on the CPU in float32 runs Winograd F(4×4, 3×3) for this shape (3×3 kernels
/// on images and channel counts large enough to pay for the transforms) instead of shifted sgemm.
public func sameConv2dUsesWinograd(batch: Int, height: Int, width: Int, inputChannels: Int, outputChannels: Int, kernel: Int) -> Bool {
    mlxc_same_conv2d_uses_winograd(Int32(batch), Int32(height), Int32(width), Int32(inputChannels), Int32(outputChannels), Int32(kernel))
}

public func conv3d(_ input: MLXArray, _ weight: MLXArray, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) throws -> MLXArray {
    try convolution(input, weight, stride: Array(repeating: stride, count: 3), padding: Array(repeating: padding, count: 3),
                    dilation: Array(repeating: dilation, count: 3), groups: groups)
}

/// Transposed N-d convolution (the gradient of `convolution` with respect to its input),
/// channels-last, weight [C_out, kernel..., C_in / groups].
public func convolutionTransposed(
    _ input: MLXArray, _ weight: MLXArray, stride: [Int], padding: [Int], dilation: [Int]? = nil,
    outputPadding: [Int]? = nil, groups: Int = 1
) throws -> MLXArray {
    let n = stride.count
    let dil = (dilation ?? Array(repeating: 1, count: n)).map(Int32.init)
    let outPad = (outputPadding ?? Array(repeating: 0, count: n)).map(Int32.init)
    guard padding.count == n, dil.count == n, outPad.count == n else {
        throw MLXError("transposed convolution: every parameter needs one entry per spatial dimension (\(n))")
    }
    let (s, p) = (stride.map(Int32.init), padding.map(Int32.init))
    return try withHandles([input, weight]) { h in
        try produce { mlxc_conv_transpose(h[0], h[1], s, p, dil, outPad, Int32(n), Int32(groups), &$0) }
    }
}

public func convTransposed2d(_ input: MLXArray, _ weight: MLXArray, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0, groups: Int = 1) throws -> MLXArray {
    try convolutionTransposed(input, weight, stride: [stride, stride], padding: [padding, padding],
                              outputPadding: [outputPadding, outputPadding], groups: groups)
}
