extension MLXArray {
    /// Reflection padding of one axis (numpy's "reflect", PyTorch's ReflectionPad): the border
    /// element is not repeated, so `low` rows come from indices low, low − 1, …, 1 and `high` rows
    /// from n − 2, n − 3, …. Built from slices and one concatenation, so gradients flow back to
    /// the reflected elements. Like PyTorch, each pad must be smaller than the axis.
    public func reflectionPadded(axis: Int, low: Int, high: Int) throws -> MLXArray {
        let ax = try checkedAxis(axis)
        let n = dim(ax)
        guard low >= 0, high >= 0, low < n, high < n else {
            throw MLXError("reflection padding (\(low), \(high)) needs pads smaller than the axis of size \(n) (axis \(ax) of shape \(shape))")
        }
        if low == 0, high == 0 { return self }
        var pieces: [MLXArray] = []
        for index in stride(from: low, through: 1, by: -1) { pieces.append(try sliced(axis: ax, index..<(index + 1))) }
        pieces.append(self)
        for index in stride(from: n - 2, through: n - 1 - high, by: -1) { pieces.append(try sliced(axis: ax, index..<(index + 1))) }
        return try concatenated(pieces, axis: ax)
    }

    /// torch.nn.ReflectionPad2d(padding) on channels-last [N, H, W, C]: `padding` on every side of H and W.
    public func reflectionPadded2d(_ padding: Int) throws -> MLXArray {
        guard ndim == 4 else { throw MLXError("reflection padding of an image needs [N, H, W, C], got \(shape)") }
        return try reflectionPadded(axis: 1, low: padding, high: padding).reflectionPadded(axis: 2, low: padding, high: padding)
    }
}
