import MLXCore

/// Data parallelism for a run: a step's views (cameras, samples) are shared out over the
/// processes, each computes the gradients of its share, the gradients are summed over all of them,
/// and every process takes the same optimiser step — so every process holds the same parameters
/// and a checkpoint does not depend on how many there were. Rank 0 alone writes the run folder.
public struct DataParallel {
    public let group: ProcessGroup?

    /// One process: nothing to share, nothing to sum.
    public static let single = DataParallel(group: nil)

    public init(group: ProcessGroup?) { self.group = group }

    public var rank: Int { group?.rank ?? 0 }
    public var size: Int { group?.size ?? 1 }
    /// Only rank 0 writes files: the others hold the same state.
    public var writesFiles: Bool { rank == 0 }

    /// The items of `count` (views of a step) this process takes: every size-th, from its rank.
    /// Item 0 is rank 0's, so the step record rank 0 logs is the one a single process would log.
    public func share(of count: Int) -> [Int] { Array(stride(from: rank, to: count, by: size)) }

    /// Sums named tensors (gradients) over the processes: one all-sum of everything packed, not one per tensor.
    public func sum(_ tensors: [String: MLXArray]) throws -> [String: MLXArray] {
        guard let group, group.size > 1 else { return tensors }
        let names = tensors.keys.sorted()
        let flat = try concatenated(names.map { try tensors[$0]!.asType(.float32).reshaped([-1]) })
        let summed = try group.allSum(flat)
        try group.evaluate([summed])
        var result: [String: MLXArray] = [:]
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            result[name] = try summed.sliced(axis: 0, offset..<(offset + tensor.size)).reshaped(tensor.shape).asType(tensor.dtype)
            offset += tensor.size
        }
        return result
    }

    /// Whether any process asks for it (a stop request seen by one rank stops all at the same step).
    public func any(_ flag: Bool) throws -> Bool {
        guard let group, group.size > 1 else { return flag }
        let count = try group.allSum(try MLXArray([Float(flag ? 1 : 0)], shape: [1]))
        try group.evaluate([count])
        return try count.item(Float.self) > 0
    }
}
