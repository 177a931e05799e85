import Foundation

/// Wall-clock timing for benchmarks: warm-up runs, then the median of timed runs.
public struct Timing: CustomStringConvertible {
    public let seconds: [Double]

    public var median: Double {
        let sorted = seconds.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    public var description: String { String(format: "%.4f s (median of %d)", median, seconds.count) }

    /// Runs `body` `warmup` times untimed, then `repeats` times timed.
    public static func measure(warmup: Int = 1, repeats: Int = 5, _ body: () throws -> Void) rethrows -> Timing {
        for _ in 0..<warmup { try body() }
        var samples: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Timing(seconds: samples)
    }
}
