import Runs

/// The random stream of one augmented view: the run layer's SplitMix64, seeded from
/// (seed, step, view) so any step's batch can be rebuilt alone.
struct AugmentationRandom {
    private var generator: SplitMix64

    init(seed: UInt64, step: Int, view: Int) {
        var seeded = SplitMix64(seed: seed)
        var stepped = SplitMix64(seed: seeded.next() ^ (UInt64(truncatingIfNeeded: step) &* 0xD1B5_4A32_D192_ED03))
        generator = SplitMix64(seed: stepped.next() ^ (UInt64(truncatingIfNeeded: view) &* 0xCA5A_8263_9512_1157))
    }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// Uniform integer in 0 ..< bound (bound ≥ 1), by rejection so every value is equally likely.
    mutating func integer(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let range = UInt64(bound)
        let limit = UInt64.max - UInt64.max % range
        while true {
            let value = next()
            if value < limit { return Int(value % range) }
        }
    }

    /// A uniformly random permutation of 0 ..< count (Fisher–Yates), like torch.randperm.
    mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        for index in stride(from: count - 1, to: 0, by: -1) { values.swapAt(index, integer(below: index + 1)) }
        return values
    }
}
