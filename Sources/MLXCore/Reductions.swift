import CMLX

extension MLXArray {
    /// axes == nil reduces over every axis.
    func reduce(_ op: mlxc_reduce_op, axes: [Int]?, keepDims: Bool) throws -> MLXArray {
        let ax = (axes ?? []).map(Int32.init)
        let count = axes == nil ? -1 : Int32(ax.count)
        return try withHandle { h in try produce { mlxc_reduce(Int32(op.rawValue), h, ax, count, keepDims, &$0) } }
    }

    public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_SUM, axes: axes, keepDims: keepDims) }
    public func sum(axis: Int, keepDims: Bool = false) throws -> MLXArray { try sum(axes: [axis], keepDims: keepDims) }
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_MEAN, axes: axes, keepDims: keepDims) }
    public func mean(axis: Int, keepDims: Bool = false) throws -> MLXArray { try mean(axes: [axis], keepDims: keepDims) }
    public func product(axes: [Int]? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_PROD, axes: axes, keepDims: keepDims) }
    public func max(axes: [Int]? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_MAX, axes: axes, keepDims: keepDims) }
    public func max(axis: Int, keepDims: Bool = false) throws -> MLXArray { try max(axes: [axis], keepDims: keepDims) }
    public func min(axes: [Int]? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_MIN, axes: axes, keepDims: keepDims) }
    public func min(axis: Int, keepDims: Bool = false) throws -> MLXArray { try min(axes: [axis], keepDims: keepDims) }
    public func all(axes: [Int]? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_ALL, axes: axes, keepDims: keepDims) }
    public func any(axes: [Int]? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_ANY, axes: axes, keepDims: keepDims) }
    public func logSumExp(axes: [Int]? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_LOGSUMEXP, axes: axes, keepDims: keepDims) }
    public func logSumExp(axis: Int, keepDims: Bool = false) throws -> MLXArray { try logSumExp(axes: [axis], keepDims: keepDims) }
    /// Index of the largest element along `axis` (nil: of the flattened array).
    public func argMax(axis: Int? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_ARGMAX, axes: axis.map { [$0] }, keepDims: keepDims) }
    public func argMin(axis: Int? = nil, keepDims: Bool = false) throws -> MLXArray { try reduce(MLXC_ARGMIN, axes: axis.map { [$0] }, keepDims: keepDims) }

    /// Variance with `ddof` delta degrees of freedom (0: population variance, divide by N).
    public func variance(axes: [Int]? = nil, keepDims: Bool = false, ddof: Int = 0) throws -> MLXArray {
        let ax = (axes ?? []).map(Int32.init)
        let count = axes == nil ? -1 : Int32(ax.count)
        return try withHandle { h in try produce { mlxc_variance(h, ax, count, keepDims, Int32(ddof), &$0) } }
    }

    public func cumulativeSum(axis: Int, reverse: Bool = false, inclusive: Bool = true) throws -> MLXArray {
        try withHandle { h in try produce { mlxc_cumsum(h, Int32(axis), reverse, inclusive, &$0) } }
    }
}

/// Softmax along `axes` (default: the last). `precise` accumulates half-precision inputs in float32.
public func softmax(_ a: MLXArray, axes: [Int] = [-1], precise: Bool = false) throws -> MLXArray {
    if axes == [-1] || axes == [a.ndim - 1] {
        // The last axis (attention's case): CMLX's kernel, vectorised on the CPU, float32 inside.
        return try a.withHandle { h in try produce { mlxc_softmax_last_axis(h, &$0) } }
    }
    let ax = axes.map(Int32.init)
    return try a.withHandle { h in try produce { mlxc_softmax(h, ax, Int32(ax.count), precise, &$0) } }
}

public func logSoftmax(_ a: MLXArray, axis: Int = -1) throws -> MLXArray {
    try a - a.logSumExp(axis: axis, keepDims: true)
}
