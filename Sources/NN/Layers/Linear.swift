import MLXCore

/// y = x Wᵀ + b over the last axis; W [out, in] as in PyTorch.
public final class Linear: Module {
    public let weight: Parameter
    public let bias: Parameter?

    public init(_ inputDimensions: Int, _ outputDimensions: Int, bias: Bool = true) throws {
        weight = Parameter(try uniformInitialization([outputDimensions, inputDimensions], fanIn: inputDimensions, key: InitializationKeys.next()))
        self.bias = bias ? Parameter(try uniformInitialization([outputDimensions], fanIn: inputDimensions, key: InitializationKeys.next())) : nil
    }

    public func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let product = try matmul(x, weight.value.transposed())
        guard let bias else { return product }
        return try product + bias.value
    }
}
