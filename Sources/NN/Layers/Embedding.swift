import MLXCore

/// A lookup table: integer ids [...] → vectors [..., dimensions].
public final class Embedding: Module {
    public let weight: Parameter

    public init(count: Int, dimensions: Int) throws {
        weight = Parameter(try Random.normal([count, dimensions], key: InitializationKeys.next()))
    }

    public func callAsFunction(_ ids: MLXArray) throws -> MLXArray {
        try weight.value.take(ids, axis: 0)
    }
}
