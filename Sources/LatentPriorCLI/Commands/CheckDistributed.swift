import ArgumentParser
import Foundation
import MLXCore

struct CheckDistributed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-distributed",
        abstract: "Check that the processes of a launch reach each other: all-sum and all-gather, with the all-sum's speed.",
        discussion: "latent-prior launch --processes 2 -- check-distributed")

    @Option(help: "Elements of the all-summed array (float32).")
    var elements: Int = 1 << 20

    @Option(help: ArgumentHelp("Make this rank exit with status 3 after joining (tests of failure handling).", visibility: .hidden))
    var failRank: Int?

    func validate() throws {
        guard (1...(1 << 28)).contains(elements) else { throw ValidationError("--elements must be in 1...\(1 << 28), got \(elements)") }
    }

    func run() throws {
        let group = try LaunchedProcesses.group() ?? DistributedGroup.initialize(strict: false)
        let (rank, size) = (group.rank, group.size)
        print("rank \(rank) of \(size) (\(group.size > 1 ? "MLX distributed, backend \(group.backend.rawValue)" : "one process"))")
        if failRank == rank {
            FileHandle.standardError.write(Data("rank \(rank): failing on purpose (--fail-rank)\n".utf8))
            throw ExitCode(3)
        }
        let values = try full([elements], value: Float(rank + 1))
        let started = Date()
        let summed = try group.allSum(values)
        try group.evaluate([summed])
        let seconds = Date().timeIntervalSince(started)
        let expected = Float(size * (size + 1) / 2)
        let (low, high) = (try summed.min().item(Float.self), try summed.max().item(Float.self))
        let gathered = try group.allGather(try MLXArray([Int32(rank)], shape: [1]))
        try group.evaluate([gathered])
        let ranks = try gathered.toArray(Int32.self)
        print(String(format: "all-sum of %d floats: %@ in %.3f s (%.2f GB/s); all-gather: %@", elements,
                     low == expected && high == expected ? "\(expected) everywhere, correct" : "WRONG (\(low)…\(high), expected \(expected))",
                     seconds, Double(elements * 4) / max(seconds, 1e-9) / 1e9, "\(ranks)"))
        guard low == expected, high == expected, ranks == (0..<size).map(Int32.init) else { throw ExitCode(1) }
    }
}
