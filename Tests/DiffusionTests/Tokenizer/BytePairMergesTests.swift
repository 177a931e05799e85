import XCTest
@testable import Diffusion

/// The heap-based merge loop against a line-by-line transcription of transformers'
/// `CLIPTokenizer.bpe` (rescan for the lowest-ranked pair, merge all its occurrences, repeat),
/// on random words and random merge tables, including tables where a merge creates a pair ranked
/// lower than the one being merged (the case a plain priority queue gets wrong).
final class BytePairMergesTests: XCTestCase {
    /// transformers' loop, on symbol strings.
    private func referenceMerge(_ word: [String], ranks: [[String]: Int]) -> [String] {
        var word = word
        while word.count > 1 {
            let pairs = zip(word, word.dropFirst()).map { [$0, $1] }
            guard let best = pairs.min(by: { ranks[$0, default: .max] < ranks[$1, default: .max] }), ranks[best] != nil else { break }
            var merged: [String] = []
            var i = 0
            while i < word.count {
                if i < word.count - 1, word[i] == best[0], word[i + 1] == best[1] {
                    merged.append(best[0] + best[1])
                    i += 2
                } else {
                    merged.append(word[i])
                    i += 1
                }
            }
            word = merged
        }
        return word
    }

    func testMatchesTransformersLoopOnRandomTables() {
        var generator = SplitMix64(seed: 2024)
        let letters = ["a", "b", "c"]
        for _ in 0..<300 {
            // Random merges over a three-letter alphabet, built from symbols that exist so far.
            var symbols = letters + letters.map { $0 + "</w>" }
            var pairs: [(String, String)] = []
            for _ in 0..<Int.random(in: 1...25, using: &generator) {
                let left = symbols.filter { !$0.hasSuffix("</w>") }.randomElement(using: &generator)!
                let right = symbols.randomElement(using: &generator)!
                pairs.append((left, right))
                symbols.append(left + right)
            }
            pairs.shuffle(using: &generator)  // ranks unrelated to creation order
            var ranks: [[String]: Int] = [:]
            for (rank, pair) in pairs.enumerated() { ranks[[pair.0, pair.1]] = rank }
            let merges = BytePairMerges(pairs: pairs)
            for _ in 0..<20 {
                let bytes = (0..<Int.random(in: 1...24, using: &generator)).map { _ in UInt8(ascii: "a") + UInt8.random(in: 0...2, using: &generator) }
                var word = bytes.map { String(UnicodeScalar($0)) }
                word[word.count - 1] += "</w>"
                let result = merges.apply(to: merges.initialSymbols(of: bytes)).map { merges.symbols[Int($0)] }
                XCTAssertEqual(result, referenceMerge(word, ranks: ranks), "word \(word) merges \(pairs)")
            }
        }
    }

    /// A long word with CLIP's real merges gives the transcription's symbols (its speed, which must
    /// stay O(n log n), is `latent-prior bench tokenizer`).
    func testLongWordMergesLikeTheReferenceLoop() throws {
        let pairs = try CLIPVocabularyFiles.readMerges(TokenizerFixtures.folder.appendingPathComponent("merges.txt"))
        var ranks: [[String]: Int] = [:]
        for (rank, pair) in pairs.enumerated() where ranks[[pair.0, pair.1]] == nil { ranks[[pair.0, pair.1]] = rank }
        let merges = BytePairMerges(pairs: pairs)
        let bytes = Array(String(repeating: "ab", count: 150).utf8) + Array("photographic".utf8)
        var word = bytes.map { String(UnicodeScalar($0)) }
        word[word.count - 1] += "</w>"
        let result = merges.apply(to: merges.initialSymbols(of: bytes)).map { merges.symbols[Int($0)] }
        XCTAssertEqual(result, referenceMerge(word, ranks: ranks))
    }
}

/// A small deterministic generator (SplitMix64) so the random tables are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
