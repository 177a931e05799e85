import CMLX

/// A CMLX vector of arrays, owned for the duration of one call.
final class ArrayVector {
    let handle: mlxc_vector

    init() { handle = mlxc_vector_new() }

    convenience init(_ arrays: [MLXArray]) {
        self.init()
        append(arrays)
    }

    deinit { mlxc_vector_free(handle) }

    func append(_ arrays: [MLXArray]) {
        for array in arrays {
            array.withHandle { mlxc_vector_append(handle, $0) }
        }
    }

    static func arrays(in vector: mlxc_vector) throws -> [MLXArray] {
        try (0..<mlxc_vector_size(vector)).map { index in
            try produce { mlxc_vector_get(vector, index, &$0) }
        }
    }

    var arrays: [MLXArray] {
        get throws { try ArrayVector.arrays(in: handle) }
    }
}
