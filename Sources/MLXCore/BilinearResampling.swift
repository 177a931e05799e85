extension MLXArray {
    /// torch.nn.Upsample(scale_factor=2, mode="bilinear") (align_corners=False) on channels-last
    /// [N, H, W, C] → [N, 2H, 2W, C]. Output 2k reads source position k − ¼ and 2k + 1 reads
    /// k + ¼, clamped at the borders as PyTorch clamps: even = ¼·x[k−1] + ¾·x[k], odd = ¾·x[k] +
    /// ¼·x[k+1] with x[−1] = x[0] and x[n] = x[n−1]. Slices, sums and an interleaving reshape, so
    /// it is differentiable and needs no gather.
    public func upsampledBilinear2x() throws -> MLXArray {
        guard ndim == 4 else { throw MLXError("bilinear upsampling needs [N, H, W, C], got \(shape)") }
        return try upsampledLinear2x(axis: 1).upsampledLinear2x(axis: 2)
    }

    private func upsampledLinear2x(axis: Int) throws -> MLXArray {
        let n = dim(axis)
        guard n > 0 else { throw MLXError("cannot upsample an empty axis (shape \(shape))") }
        let first = try sliced(axis: axis, 0..<1), last = try sliced(axis: axis, (n - 1)..<n)
        let previous = try concatenated([first, try sliced(axis: axis, 0..<(n - 1))], axis: axis)
        let next = try concatenated([try sliced(axis: axis, 1..<n), last], axis: axis)
        let even = try previous * 0.25 + self * 0.75
        let odd = try self * 0.75 + next * 0.25
        var doubled = shape
        doubled[axis] = 2 * n
        return try stacked([even, odd], axis: axis + 1).reshaped(doubled)
    }

    /// Bilinear resize of channels-last [N, H, W, C] to [N, height, width, C] with
    /// align_corners=False, as torch.nn.functional.interpolate(mode="bilinear", antialias=…).
    ///
    /// `antialias: false` (PyTorch's default) reads the two neighbours of source position
    /// (i + ½)·(in/out) − ½ (clamped below at 0, the far neighbour clamped at the edge): it does
    /// **not** antialias, so shrinking by more than 2× skips source pixels. `antialias: true` is
    /// PIL's bilinear filter (what torchvision's PIL Resize and interpolate(antialias=True) use):
    /// when shrinking, the triangle kernel widens to the scale, taps outside the picture are
    /// dropped and the weights renormalised; when enlarging it equals the plain form. Either way a
    /// weighted sum of gathers along H, then W: differentiable.
    public func resizedBilinear(height: Int, width: Int, antialias: Bool = false) throws -> MLXArray {
        guard ndim == 4, height > 0, width > 0 else {
            throw MLXError("bilinear resize needs [N, H, W, C] and a positive size, got \(shape) → \(height)×\(width)")
        }
        return try resampledLinear(axis: 1, to: height, antialias: antialias).resampledLinear(axis: 2, to: width, antialias: antialias)
    }

    private func resampledLinear(axis: Int, to count: Int, antialias: Bool) throws -> MLXArray {
        let n = dim(axis)
        guard n > 0 else { throw MLXError("cannot resize an empty axis (shape \(shape))") }
        if n == count { return self }
        let taps = antialias ? MLXArray.triangleFilterTaps(from: n, to: count) : MLXArray.linearTaps(from: n, to: count)
        var weightShape = Array(repeating: 1, count: ndim)
        weightShape[axis] = count
        var result: MLXArray?
        for tap in 0..<taps.indices.count {
            let gathered = try take(try MLXArray(taps.indices[tap]), axis: axis)
            let term = try gathered * MLXArray(taps.weights[tap], shape: weightShape).asType(dtype)
            result = try result.map { try $0 + term } ?? term
        }
        guard let result else { throw MLXError("resize produced no taps (\(n) → \(count))") }
        return result
    }

    /// Source indices and weights, tap-major ([tap][output]), of PyTorch's non-antialiased
    /// bilinear rule. Float arithmetic, as PyTorch computes source positions for float tensors.
    static func linearTaps(from n: Int, to count: Int) -> (indices: [[Int32]], weights: [[Float]]) {
        let scale = Float(n) / Float(count)
        var indices: [[Int32]] = [[], []], weights: [[Float]] = [[], []]
        for index in 0..<count {
            let source = Swift.max(scale * (Float(index) + 0.5) - 0.5, 0)
            let low = Swift.min(Int(source), n - 1)
            let lambda = Swift.min(Swift.max(source - Float(low), 0), 1)
            indices[0].append(Int32(low))
            indices[1].append(Int32(Swift.min(low + 1, n - 1)))
            weights[0].append(1 - lambda)
            weights[1].append(lambda)
        }
        return (indices, weights)
    }

    /// PIL's bilinear resampling coefficients (`precompute_coeffs`): centre (i + ½)·s, support
    /// s' = max(s, 1), taps j in [⌊centre − s' + ½⌋, ⌊centre + s' + ½⌋) ∩ [0, n), weight
    /// max(0, 1 − |j + ½ − centre| / s'), normalised; padded with zero-weight taps.
    static func triangleFilterTaps(from n: Int, to count: Int) -> (indices: [[Int32]], weights: [[Float]]) {
        let scale = Double(n) / Double(count)
        let support = Swift.max(scale, 1)
        var perOutput: [[(Int32, Float)]] = []
        for index in 0..<count {
            let centre = (Double(index) + 0.5) * scale
            let first = Swift.max(Int((centre - support + 0.5).rounded(.down)), 0)
            let end = Swift.min(Int((centre + support + 0.5).rounded(.down)), n)
            var taps: [(Int32, Double)] = []
            for j in first..<Swift.max(end, first) {
                taps.append((Int32(j), Swift.max(0, 1 - Swift.abs(Double(j) + 0.5 - centre) / support)))
            }
            let total = taps.reduce(0) { $0 + $1.1 }
            perOutput.append(total > 0 ? taps.map { ($0.0, Float($0.1 / total)) } : [(Int32(Swift.min(Int(centre), n - 1)), Float(1))])
        }
        let width = perOutput.map(\.count).reduce(1, Swift.max)
        var indices = Array(repeating: [Int32](), count: width), weights = Array(repeating: [Float](), count: width)
        for taps in perOutput {
            for tap in 0..<width {
                indices[tap].append(tap < taps.count ? taps[tap].0 : 0)
                weights[tap].append(tap < taps.count ? taps[tap].1 : 0)
            }
        }
        return (indices, weights)
    }
}
