import Diffusion
import Foundation
import MLXCore

/// The toy model's tokenizer files, in CLIP's format: the byte-level alphabet (so any text still
/// tokenizes), each toy-world word as one merged token, and the two special tokens. A few hundred
/// entries instead of CLIP's 49 408 keep the text encoder's embedding table small.
public enum ToyVocabulary {
    /// Every word the captions use, with the view suffixes' words.
    public static let words = [
        "a", "red", "orange", "yellow", "green", "blue", "purple", "sphere", "cube", "cylinder", "cone", "torus",
        "front", "side", "back", "overhead", "view", ",", "photo", "of", "the", "an", "object", "shape",
    ]

    /// vocab.json contents: token → id.
    public static func vocabulary() -> [String: Int] {
        var tokens = alphabet() + alphabet().map { $0 + "</w>" }
        for merge in merges() {
            let token = merge.0 + merge.1
            if !tokens.contains(token) { tokens.append(token) }
        }
        tokens += ["<|startoftext|>", "<|endoftext|>"]
        return Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($0.element, $0.offset) })
    }

    /// merges.txt pairs, built so that every toy word becomes exactly one token: for each word,
    /// run BPE with the merges so far and append a merge for the first remaining pair until the
    /// word is whole. Appended merges rank last, so words already whole stay whole.
    public static func merges() -> [(String, String)] {
        var result: [(String, String)] = []
        var ranks: [String: Int] = [:]
        for word in words {
            // The words are printable ASCII, which CLIP's byte-level alphabet spells as itself.
            var symbols = word.unicodeScalars.map { String($0) }
            symbols[symbols.count - 1] += "</w>"
            while true {
                let pieces = bytePairEncode(symbols, ranks: ranks)
                guard pieces.count > 1 else { break }
                ranks[pieces[0] + " " + pieces[1]] = result.count
                result.append((pieces[0], pieces[1]))
            }
        }
        return result
    }

    /// CLIP's BPE on one word: repeatedly merge the adjacent pair of lowest rank.
    static func bytePairEncode(_ symbols: [String], ranks: [String: Int]) -> [String] {
        var pieces = symbols
        while pieces.count > 1 {
            let candidates = (0..<(pieces.count - 1)).compactMap { index in
                ranks[pieces[index] + " " + pieces[index + 1]].map { (rank: $0, index: index) }
            }
            guard let best = candidates.min(by: { $0.rank < $1.rank }) else { break }
            let pair = (pieces[best.index], pieces[best.index + 1])
            var merged: [String] = []
            var index = 0
            while index < pieces.count {
                if index < pieces.count - 1, pieces[index] == pair.0, pieces[index + 1] == pair.1 {
                    merged.append(pair.0 + pair.1)
                    index += 2
                } else {
                    merged.append(pieces[index])
                    index += 1
                }
            }
            pieces = merged
        }
        return pieces
    }

    /// Writes vocab.json, merges.txt, tokenizer_config.json and special_tokens_map.json.
    public static func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let vocabulary = vocabulary()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try writeAtomically(try encoder.encode(vocabulary), to: folder.appendingPathComponent("vocab.json").path)
        let lines = ["#version: 0.2"] + merges().map { "\($0.0) \($0.1)" }
        try writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: folder.appendingPathComponent("merges.txt").path)
        let special: [String: Any] = [
            "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
        ]
        var config = special
        config["model_max_length"] = 77
        config["tokenizer_class"] = "CLIPTokenizer"
        config["do_lower_case"] = true
        for (name, object) in [("special_tokens_map.json", special), ("tokenizer_config.json", config)] {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try writeAtomically(data, to: folder.appendingPathComponent(name).path)
        }
    }

    /// The 256 byte-level symbols in CLIP's order (printable Latin-1 first, as bytes_to_unicode lists them).
    static func alphabet() -> [String] {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var symbols = printable.map { String(UnicodeScalar(UInt8($0))) }
        var next = 0x100
        for byte in 0..<256 where !printable.contains(byte) {
            _ = byte
            symbols.append(String(UnicodeScalar(UInt32(next))!))
            next += 1
        }
        return symbols
    }
}
