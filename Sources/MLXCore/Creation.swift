import CMLX

extension MLXArray {
    /// An array of `shape` holding `values` (row-major), copied from host memory.
    public convenience init<T: HostElement>(_ values: [T], shape: [Int]? = nil) throws {
        let dims = shape ?? [values.count]
        let count = dims.reduce(1, *)
        guard count == values.count else {
            throw MLXError("cannot make an array of shape \(dims) (\(count) elements) from \(values.count) values")
        }
        let handle = try values.withUnsafeBytes { try MLXArray.handle(copying: $0, shape: dims, dtype: T.dtype) }
        self.init(owning: handle)
    }

    /// An array of `shape` and `dtype` whose bytes are copied from `bytes` (e.g. float16 bit patterns).
    public convenience init(bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws {
        self.init(owning: try MLXArray.handle(copying: bytes, shape: shape, dtype: dtype))
    }

    private static func handle(copying bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws -> mlxc_array {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw MLXError("negative dimension in shape \(shape)") }
        let needed = shape.reduce(1, *) * dtype.size
        guard bytes.count == needed else {
            throw MLXError("\(bytes.count) bytes given for a \(dtype) array of shape \(shape), which needs \(needed)")
        }
        let dims = shape.map(Int32.init)
        return try produceHandle { mlxc_array_from_data(bytes.baseAddress, dims, Int32(dims.count), dtype.rawValue, &$0) }
    }

    /// A 0-dimensional array.
    public convenience init(_ scalar: Double, dtype: DType = .float32) throws {
        self.init(owning: try produceHandle { mlxc_array_from_double(scalar, dtype.rawValue, &$0) })
    }

    public convenience init(_ scalar: Float, dtype: DType = .float32) throws {
        try self.init(Double(scalar), dtype: dtype)
    }

    public convenience init(_ scalar: Int, dtype: DType = .int32) throws {
        try self.init(Double(scalar), dtype: dtype)
    }

    /// A scalar with this array's dtype when it is floating point (so float16 stays float16).
    func scalar(_ value: Float) throws -> MLXArray {
        try MLXArray(Double(value), dtype: dtype.isFloatingPoint ? dtype : .float32)
    }
}

public func full(_ shape: [Int], value: Float, dtype: DType = .float32) throws -> MLXArray {
    let fill = try MLXArray(Double(value), dtype: dtype)
    let dims = shape.map(Int32.init)
    return try fill.withHandle { v in
        try produce { mlxc_full(dims, Int32(dims.count), v, dtype.rawValue, &$0) }
    }
}

public func zeros(_ shape: [Int], dtype: DType = .float32) throws -> MLXArray {
    try full(shape, value: 0, dtype: dtype)
}

public func ones(_ shape: [Int], dtype: DType = .float32) throws -> MLXArray {
    try full(shape, value: 1, dtype: dtype)
}

public func zeros(like a: MLXArray) throws -> MLXArray { try zeros(a.shape, dtype: a.dtype) }
public func ones(like a: MLXArray) throws -> MLXArray { try ones(a.shape, dtype: a.dtype) }

/// Values from `start` up to (not including) `stop` in steps of `step`.
public func arange(_ start: Double, _ stop: Double, step: Double = 1, dtype: DType = .float32) throws -> MLXArray {
    try produce { mlxc_arange(start, stop, step, dtype.rawValue, &$0) }
}

public func arange(_ stop: Int, dtype: DType = .int32) throws -> MLXArray {
    try arange(0, Double(stop), dtype: dtype)
}

/// `count` evenly spaced values from `start` to `stop`, both included.
public func linspace(_ start: Double, _ stop: Double, count: Int, dtype: DType = .float32) throws -> MLXArray {
    try produce { mlxc_linspace(start, stop, Int32(count), dtype.rawValue, &$0) }
}
