import CMLX

extension MLXArray {
    /// Gathers entries of `self` at `indices` along `axis` (numpy.take).
    public func take(_ indices: MLXArray, axis: Int) throws -> MLXArray {
        try withHandles([self, indices]) { h in try produce { mlxc_take(h[0], h[1], Int32(axis), &$0) } }
    }

    public func takeAlong(axis: Int, indices: MLXArray) throws -> MLXArray {
        try withHandles([self, indices]) { h in try produce { mlxc_take_along_axis(h[0], h[1], Int32(axis), &$0) } }
    }

    public func puttingAlong(axis: Int, indices: MLXArray, values: MLXArray) throws -> MLXArray {
        try withHandles([self, indices, values]) { h in
            try produce { mlxc_put_along_axis(h[0], h[1], h[2], Int32(axis), &$0) }
        }
    }

    /// Adds `values` into `self` at `indices` along `axis`; repeated indices accumulate.
    public func scatterAddingAlong(axis: Int, indices: MLXArray, values: MLXArray) throws -> MLXArray {
        try withHandles([self, indices, values]) { h in
            try produce { mlxc_scatter_add_axis(h[0], h[1], h[2], Int32(axis), &$0) }
        }
    }

    public func argSort(axis: Int = -1) throws -> MLXArray {
        try withHandle { h in try produce { mlxc_argsort(h, Int32(axis), &$0) } }
    }

    public func sorted(axis: Int = -1) throws -> MLXArray {
        try withHandle { h in try produce { mlxc_sort(h, Int32(axis), &$0) } }
    }
}
