import MLXCore

/// One row of a `latent-prior bench` table: a named measurement with its timing and MLX's peak memory.
public struct TimedRow {
    public let name: String
    public let timing: Timing
    /// MLX's peak allocation during the timed runs, in bytes.
    public let peakMemory: Int

    /// One warm-up call of `body` (loads weights lazily, fills the allocator's cache), then
    /// `repeats` timed calls with the peak-memory counter reset.
    public static func measure(_ name: String, repeats: Int, _ body: () throws -> Void) throws -> TimedRow {
        try body()
        Memory.resetPeak()
        let timing = try Timing.measure(warmup: 0, repeats: repeats, body)
        return TimedRow(name: name, timing: timing, peakMemory: Memory.peak)
    }

    /// "name  median  min  peak_MiB" with the name padded to `nameWidth` (scripts/bench_common.py parses it).
    public func formatted(nameWidth: Int) -> String {
        name.padding(toLength: max(nameWidth, name.count), withPad: " ", startingAt: 0) + " "
            + String(format: "%-9.3f %-9.3f %.0f", timing.median, timing.seconds.min() ?? 0, Double(peakMemory) / 1_048_576)
    }
}
