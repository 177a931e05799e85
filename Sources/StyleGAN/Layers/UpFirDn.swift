import MLXCore

/// rosinality's upfirdn2d (op/upfirdn2d.py, the native path) for the separable [1, 3, 3, 1] FIR
/// kernels StyleGAN2 uses, on channels-last [N, H, W, C]: insert `up − 1` zeros after each sample,
/// pad (negative pads crop), correlate with the kernel flipped (the kernel is symmetric, so as is),
/// keep every `down`-th sample. The 2-D kernel is outer(k, k) / Σ² scaled by `gain`; being separable
/// it runs as two 1-D passes of shifted slices — exact, differentiable and cheap.
struct FIRFilter: Sendable {
    /// The 1-D taps, normalised so that the 2-D kernel sums to `gain`.
    let taps: [Float]

    init(_ kernel: [Float] = [1, 3, 3, 1], gain: Float = 1) {
        let sum = kernel.reduce(0, +)
        let perAxis = gain.squareRoot()
        taps = kernel.map { $0 / sum * perAxis }
    }

    /// upfirdn2d(x, kernel, up, down, pad = (pad0, pad1)) on both spatial axes.
    func callAsFunction(_ x: MLXArray, up: Int = 1, down: Int = 1, pad: (Int, Int)) throws -> MLXArray {
        var y = x
        for axis in [1, 2] {
            y = try filter(y, axis: axis, up: up, down: down, pad: pad)
        }
        return y
    }

    private func filter(_ x: MLXArray, axis: Int, up: Int, down: Int, pad: (Int, Int)) throws -> MLXArray {
        var y = x
        if up > 1 {
            // Zero insertion: each sample followed by up − 1 zeros (length n·up).
            let expanded = try y.expandedDimensions(axis: axis + 1)
            var zeroShape = expanded.shape
            zeroShape[axis + 1] = up - 1
            var shape = y.shape
            shape[axis] *= up
            y = try concatenated([expanded, try zeros(zeroShape, dtype: y.dtype)], axis: axis + 1).reshaped(shape)
        }
        // Pad (or crop, for negative pads) with zeros.
        let (low, high) = pad
        if low < 0 { y = try y.sliced(axis: axis, (-low)..<y.dim(axis)) }
        if high < 0 { y = try y.sliced(axis: axis, 0..<(y.dim(axis) + high)) }
        if low > 0 || high > 0 {
            y = try y.padded(axes: [axis], low: [max(low, 0)], high: [max(high, 0)])
        }
        let length = y.dim(axis) - taps.count + 1
        guard length > 0 else { throw StyleGANError.invalidInput("a FIR filter of \(taps.count) taps needs at least that many samples, got \(y.dim(axis))") }
        var out: MLXArray?
        for (offset, tap) in taps.enumerated() {
            let term = try y.sliced(axis: axis, offset..<(offset + length)) * tap
            out = try out.map { try $0 + term } ?? term
        }
        guard var result = out else { throw StyleGANError.invalidInput("a FIR filter needs taps") }
        if down > 1 {
            let kept = (length + down - 1) / down
            result = try result.take(try MLXArray((0..<kept).map { Int32($0 * down) }), axis: axis)
        }
        return result
    }
}
