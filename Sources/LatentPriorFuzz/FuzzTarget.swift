import Foundation

/// One parser that reads a stranger's file, with the bytes libFuzzer (or a replayed corpus file)
/// hands it. A thrown error is the expected answer to bad bytes; only a crash, a trap, a hang or a
/// runaway allocation is a finding.
struct FuzzTarget {
    let name: String
    /// Largest input worth generating: a little above the largest seed, so mutations stay cheap.
    let maximumLength: Int
    let run: (Data) -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "safetensors", maximumLength: 4096, run: SafetensorsHarness.run),
        FuzzTarget(name: "config", maximumLength: 4096, run: ConfigHarness.run),
        FuzzTarget(name: "tokenizer", maximumLength: 16384, run: TokenizerHarness.run),
        FuzzTarget(name: "png", maximumLength: 8192, run: PNGHarness.run),
        FuzzTarget(name: "jpeg", maximumLength: 8192, run: JPEGHarness.run),
        FuzzTarget(name: "pickle", maximumLength: 16384, run: PickleHarness.run),
    ]

    static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }

    static var names: String { all.map(\.name).joined(separator: ", ") }
}
