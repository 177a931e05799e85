import Diffusion
import Foundation

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

    /// merges.txt pairs. Each word merges left to right; a word's merges come as one run so that
    /// whole words end up as single tokens (checked by the tests with the real tokenizer).
    public static func merges() -> [(String, String)] {
        var result: [(String, String)] = []
        var seen = Set<String>()
        for word in words {
            // The words are printable ASCII, which CLIP's byte-level alphabet spells as itself.
            var symbols = word.unicodeScalars.map { String($0) }
            guard symbols.count > 1 else { continue }
            symbols[symbols.count - 1] += "</w>"
            var merged = symbols[0]
            for symbol in symbols.dropFirst() {
                let key = merged + " " + symbol
                if !seen.contains(key) {
                    seen.insert(key)
                    result.append((merged, symbol))
                }
                merged += symbol
            }
        }
        return result
    }

    /// Writes vocab.json, merges.txt, tokenizer_config.json and special_tokens_map.json.
    public static func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let vocabulary = vocabulary()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(vocabulary).write(to: folder.appendingPathComponent("vocab.json"))
        let lines = ["#version: 0.2"] + merges().map { "\($0.0) \($0.1)" }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("merges.txt"), atomically: true, encoding: .utf8)
        let special: [String: Any] = [
            "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
        ]
        var config = special
        config["model_max_length"] = 77
        config["tokenizer_class"] = "CLIPTokenizer"
        config["do_lower_case"] = true
        for (name, object) in [("special_tokens_map.json", special), ("tokenizer_config.json", config)] {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: folder.appendingPathComponent(name))
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
