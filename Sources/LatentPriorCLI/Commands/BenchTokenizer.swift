import ArgumentParser
import Benchmarks
import Diffusion
import Foundation

/// The tokenizer's speed figures that used to be timing asserts in unit tests: loading CLIP's
/// 49,408-token vocabulary, and merging one 40,000-byte word (BPE must stay O(n log n)).
struct BenchTokenizer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Time loading CLIP's vocabulary and tokenizing a 40,000-byte word and a long prompt.")

    @Option(help: "Timed repetitions per measurement (after one warm-up).")
    var repeats = 5

    func run() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
        let folder = URL(fileURLWithPath: DefaultModel.clipTokenizer)
        var tokenizer = try CLIPTokenizer(directory: folder)
        let rows = [
            try TimedRow.measure("load CLIP vocabulary (49,408 tokens)", repeats: repeats) {
                tokenizer = try CLIPTokenizer(directory: folder)
            },
            try TimedRow.measure("one 40,000-byte word", repeats: repeats) {
                // A fresh tokenizer each time would time loading; a new word defeats the cache instead.
                _ = tokenizer.tokenIDs(String(repeating: "ab", count: 20_000) + UUID().uuidString.prefix(8).lowercased())
            },
            try TimedRow.measure("77-token prompt", repeats: repeats) {
                _ = tokenizer.inputIDs("a highly detailed matte painting of a castle \(UUID().uuidString), trending on artstation")
            },
        ]
        print("name".padding(toLength: 40, withPad: " ", startingAt: 0) + " median_s  min_s     peak_MiB")
        for row in rows { print(row.formatted(nameWidth: 40)) }
    }
}
