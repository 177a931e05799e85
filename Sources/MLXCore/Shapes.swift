import CMLX

extension MLXArray {
    /// One dimension may be -1 (inferred).
    public func reshaped(_ shape: [Int]) throws -> MLXArray {
        let dims = shape.map(Int32.init)
        return try withHandle { h in try produce { mlxc_reshape(h, dims, Int32(dims.count), &$0) } }
    }

    public func reshaped(_ shape: Int...) throws -> MLXArray { try reshaped(shape) }

    public func flattened() throws -> MLXArray { try reshaped([-1]) }

    /// Permutes the axes; with no argument reverses them.
    public func transposed(_ axes: [Int]? = nil) throws -> MLXArray {
        let perm = (axes ?? Array((0..<ndim).reversed())).map(Int32.init)
        return try withHandle { h in try produce { mlxc_transpose(h, perm, Int32(perm.count), &$0) } }
    }

    public func transposed(_ axes: Int...) throws -> MLXArray { try transposed(axes) }

    /// The same values laid out row-major in memory of their own. A transposed view is strided, and
    /// every kernel that needs row-major input would otherwise copy it again at each use.
    public func contiguous() throws -> MLXArray {
        try withHandle { h in try produce { mlxc_contiguous(h, &$0) } }
    }

    public func swappedAxes(_ a: Int, _ b: Int) throws -> MLXArray {
        var perm = Array(0..<ndim)
        perm.swapAt(try checkedAxis(a), try checkedAxis(b))
        return try transposed(perm)
    }

    /// Removes the given size-1 axes (all of them when nil).
    public func squeezed(axes: [Int]? = nil) throws -> MLXArray {
        let ax = (axes ?? []).map(Int32.init)
        let count = axes == nil ? -1 : Int32(ax.count)
        return try withHandle { h in try produce { mlxc_squeeze(h, ax, count, &$0) } }
    }

    public func expandedDimensions(axes: [Int]) throws -> MLXArray {
        let ax = axes.map(Int32.init)
        return try withHandle { h in try produce { mlxc_expand_dims(h, ax, Int32(ax.count), &$0) } }
    }

    public func expandedDimensions(axis: Int) throws -> MLXArray { try expandedDimensions(axes: [axis]) }

    public func broadcast(to shape: [Int]) throws -> MLXArray {
        let dims = shape.map(Int32.init)
        return try withHandle { h in try produce { mlxc_broadcast_to(h, dims, Int32(dims.count), &$0) } }
    }

    /// Strided slice with one (start, stop, stride) per dimension, numpy semantics for in-range values.
    public func sliced(start: [Int], stop: [Int], strides: [Int]? = nil) throws -> MLXArray {
        let st = strides ?? Array(repeating: 1, count: start.count)
        guard start.count == stop.count, st.count == start.count else {
            throw MLXError("slice bounds have different lengths: \(start.count), \(stop.count), \(st.count)")
        }
        let (a, b, c) = (start.map(Int32.init), stop.map(Int32.init), st.map(Int32.init))
        return try withHandle { h in try produce { mlxc_slice(h, a, b, c, Int32(a.count), &$0) } }
    }

    /// `self[..., range, ...]` along one axis; negative bounds count from the end.
    public func sliced(axis: Int, _ range: Range<Int>, stride: Int = 1) throws -> MLXArray {
        let dims = shape
        let ax = try checkedAxis(axis)
        var start = Array(repeating: 0, count: dims.count)
        var stop = dims
        var strides = Array(repeating: 1, count: dims.count)
        start[ax] = range.lowerBound
        stop[ax] = range.upperBound
        strides[ax] = stride
        return try sliced(start: start, stop: stop, strides: strides)
    }

    /// Element `index` along `axis`, with that axis removed.
    public func index(_ index: Int, axis: Int = 0) throws -> MLXArray {
        let n = dim(try checkedAxis(axis))
        let i = index < 0 ? index + n : index
        guard i >= 0, i < n else { throw MLXError("index \(index) is out of range for an axis of size \(n)") }
        return try sliced(axis: axis, i..<(i + 1)).squeezed(axes: [axis])
    }

    /// A copy of `self` with the slice `start..<stop` (step `strides`) replaced by `update`.
    public func updatingSlice(_ update: MLXArray, start: [Int], stop: [Int], strides: [Int]? = nil) throws -> MLXArray {
        let st = (strides ?? Array(repeating: 1, count: start.count)).map(Int32.init)
        let (a, b) = (start.map(Int32.init), stop.map(Int32.init))
        return try withHandles([self, update]) { h in
            try produce { mlxc_slice_update(h[0], h[1], a, b, st, Int32(a.count), &$0) }
        }
    }

    /// Pads the given axes with (low, high) elements; mode "constant" (with `value`) or "edge".
    public func padded(axes: [Int], low: [Int], high: [Int], value: Float = 0, mode: String = "constant") throws -> MLXArray {
        guard axes.count == low.count, axes.count == high.count else {
            throw MLXError("pad needs one (low, high) pair per axis")
        }
        let fill = try scalar(value)
        let (ax, lo, hi) = (axes.map(Int32.init), low.map(Int32.init), high.map(Int32.init))
        return try withHandles([self, fill]) { h in
            try produce { mlxc_pad(h[0], ax, lo, hi, Int32(ax.count), h[1], mode, &$0) }
        }
    }

    public func repeated(_ count: Int, axis: Int) throws -> MLXArray {
        try withHandle { h in try produce { mlxc_repeat(h, Int32(count), Int32(axis), &$0) } }
    }

    public func tiled(_ repetitions: [Int]) throws -> MLXArray {
        let reps = repetitions.map(Int32.init)
        return try withHandle { h in try produce { mlxc_tile(h, reps, Int32(reps.count), &$0) } }
    }

    public func flipped(axis: Int) throws -> MLXArray {
        try withHandle { h in try produce { mlxc_flip_axis(h, Int32(axis), &$0) } }
    }

    /// Splits at boundary `indices` along `axis` (numpy.split with a list of indices).
    public func split(at indices: [Int], axis: Int = 0) throws -> [MLXArray] {
        let idx = indices.map(Int32.init)
        let out = ArrayVector()
        try withHandle { h in try check(mlxc_split(h, idx, Int32(idx.count), Int32(axis), out.handle)) }
        return try out.arrays
    }

    /// Splits into `parts` equal pieces along `axis`.
    public func split(parts: Int, axis: Int = 0) throws -> [MLXArray] {
        let n = dim(try checkedAxis(axis))
        guard parts > 0, n % parts == 0 else {
            throw MLXError("cannot split an axis of size \(n) into \(parts) equal parts")
        }
        return try split(at: (1..<parts).map { $0 * n / parts }, axis: axis)
    }
}

public func concatenated(_ arrays: [MLXArray], axis: Int = 0) throws -> MLXArray {
    let vector = ArrayVector(arrays)
    return try produce { mlxc_concatenate(vector.handle, Int32(axis), &$0) }
}

public func stacked(_ arrays: [MLXArray], axis: Int = 0) throws -> MLXArray {
    let vector = ArrayVector(arrays)
    return try produce { mlxc_stack(vector.handle, Int32(axis), &$0) }
}
