import CMLX

/// An n-dimensional array in MLX: a lazily evaluated node of a compute graph.
///
/// The class owns one CMLX handle and frees it in `deinit`. Every C call reaches the handle
/// through `withHandle`, which keeps the array alive until the call returns (a raw handle must
/// never outlive its owner inside an expression: Swift may release an object after its last use).
public final class MLXArray: @unchecked Sendable {
    private let handle: mlxc_array

    init(owning handle: mlxc_array) {
        self.handle = handle
    }

    deinit {
        mlxc_array_free(handle)
    }

    @inline(__always)
    func withHandle<R>(_ body: (mlxc_array) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(handle) }
    }

    public var ndim: Int { withHandle { Int(mlxc_array_ndim($0)) } }

    public var shape: [Int] {
        withHandle { h in
            let rank = Int(mlxc_array_ndim(h))
            var dims = [Int32](repeating: 0, count: rank)
            mlxc_array_shape(h, &dims, Int32(rank))
            return dims.map(Int.init)
        }
    }

    /// The size of `axis` (negative counts from the end). Precondition: the axis exists.
    public func dim(_ axis: Int) -> Int {
        let s = shape
        return s[axis < 0 ? axis + s.count : axis]
    }

    /// `axis` as a non-negative index, or an error naming the axis and the shape.
    public func checkedAxis(_ axis: Int) throws -> Int {
        let rank = ndim
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0, resolved < rank else {
            throw MLXError("axis \(axis) is out of range for an array of shape \(shape)")
        }
        return resolved
    }

    public var dtype: DType {
        withHandle { DType(rawValue: mlxc_array_dtype($0)) ?? .float32 }
    }

    /// Number of elements.
    public var size: Int { withHandle { Int(mlxc_array_size($0)) } }
    public var nbytes: Int { withHandle { Int(mlxc_array_nbytes($0)) } }

    /// Evaluates the array and tells whether its elements lie row-major in memory of their own
    /// (false for a strided view such as a transpose).
    public func isRowContiguous() throws -> Bool {
        var result = false
        try withHandle { h in try check(mlxc_array_is_row_contiguous(h, &result)) }
        return result
    }
}

/// Runs a CMLX call that produces one array handle (the caller takes ownership).
@inline(__always)
func produceHandle(_ call: (inout mlxc_array?) -> Int32) throws -> mlxc_array {
    var out: mlxc_array?
    try check(call(&out))
    guard let out else { throw MLXError("MLX returned no array") }
    return out
}

/// Runs a CMLX call that produces one array.
@inline(__always)
func produce(_ call: (inout mlxc_array?) -> Int32) throws -> MLXArray {
    MLXArray(owning: try produceHandle(call))
}

/// Keeps every array in `arrays` alive while `body` uses their raw handles.
func withHandles<R>(_ arrays: [MLXArray], _ body: ([mlxc_array?]) throws -> R) rethrows -> R {
    try withExtendedLifetime(arrays) {
        try body(arrays.map { $0.withHandle { $0 } })
    }
}

/// Same, for an optional array passed to a nullable C parameter.
func withOptionalHandle<R>(_ array: MLXArray?, _ body: (mlxc_array?) throws -> R) rethrows -> R {
    guard let array else { return try body(nil) }
    return try array.withHandle { try body($0) }
}
