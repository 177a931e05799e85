import MLXCore

/// y = x Wᵀ + b over the last axis; W [out, in] as in PyTorch.
public final class Linear: Module {
    public let weight: Parameter
    public let bias: Parameter?

    public init(_ inputDimensions: Int, _ outputDimensions: Int, bias: Bool = true) throws {
        weight = Parameter(try uniformInitialization([outputDimensions, inputDimensions], fanIn: inputDimensions, key: InitializationKeys.next()))
        self.bias = bias ? Parameter(try uniformInitialization([outputDimensions], fanIn: inputDimensions, key: InitializationKeys.next())) : nil
    }

    public var outputDimensions: Int { weight.value.dim(0) }

    /// The bias enters the matrix product (BLAS's C operand) instead of a second pass over the output.
    public func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        guard let bias else { return try matmul(x, weight.value.transposed()) }
        return try addmm(bias.value, x, weight.value.transposed())
    }
}
