import CMLX

/// Evaluates the arrays' graphs (MLX is lazy: nothing is computed before this or a read-back).
public func eval(_ arrays: MLXArray...) throws {
    try eval(arrays)
}

public func eval(_ arrays: [MLXArray]) throws {
    let vector = ArrayVector(arrays)
    try check(mlxc_eval(vector.handle))
}

/// Starts evaluating in the background; a later `eval` or read-back waits for it.
public func asyncEval(_ arrays: [MLXArray]) throws {
    let vector = ArrayVector(arrays)
    try check(mlxc_async_eval(vector.handle))
}

extension MLXArray {
    public func eval() throws { try MLXCore.eval([self]) }

    /// The elements in row-major order, converted to `T`'s dtype.
    public func toArray<T: HostElement>(_ type: T.Type = T.self) throws -> [T] {
        var result = [T](repeating: T(), count: size)
        try result.withUnsafeMutableBytes { buffer in
            try withHandle { h in
                try check(mlxc_array_copy_to(h, T.dtype.rawValue, buffer.baseAddress, buffer.count))
            }
        }
        return result
    }

    /// The raw bytes of the array in `dtype` (e.g. float16 bit patterns for a file writer).
    public func bytes(as dtype: DType? = nil) throws -> [UInt8] {
        let type = dtype ?? self.dtype
        var result = [UInt8](repeating: 0, count: size * type.size)
        try result.withUnsafeMutableBytes { buffer in
            try withHandle { h in
                try check(mlxc_array_copy_to(h, type.rawValue, buffer.baseAddress, buffer.count))
            }
        }
        return result
    }

    /// The single element of a one-element array.
    public func item<T: HostElement>(_ type: T.Type = T.self) throws -> T {
        guard size == 1 else { throw MLXError("item() needs a one-element array, this one has shape \(shape)") }
        return try toArray(T.self)[0]
    }
}

extension MLXArray: CustomStringConvertible {
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 1 << 16)
        let status = withHandle { mlxc_array_to_string($0, &buffer, buffer.count) }
        if status != 0 { return "MLXArray(shape: \(shape), dtype: \(dtype), <\(String(cString: mlxc_last_error()))>)" }
        return String(cString: buffer)
    }
}
