import MLXCore

/// PyTorch's default init for Linear/Conv weights and biases: U(-1/√fan_in, 1/√fan_in)
/// (kaiming_uniform with a = √5 reduces to this bound). Models are normally loaded from files;
/// the init matters for models trained here (the toy world) and for tests.
func uniformInitialization(_ shape: [Int], fanIn: Int, key: MLXArray) throws -> MLXArray {
    let bound = 1 / Float(fanIn).squareRoot()
    return try Random.uniform(shape, low: -bound, high: bound, key: key)
}

/// A process-wide key stream for default initialisation, reseedable for reproducible models.
public enum InitializationKeys {
    private static var key: MLXArray?

    public static func seed(_ seed: UInt64) throws {
        key = try Random.key(seed)
    }

    static func next() throws -> MLXArray {
        let current = try key ?? Random.key(0)
        let parts = try Random.split(current)
        key = parts[0]
        return parts[1]
    }
}
