import Diffusion
import Foundation

/// A tokenizer folder with one file replaced: the first byte picks vocab.json, merges.txt,
/// tokenizer_config.json or special_tokens_map.json, the rest is its content; the others are the
/// tiny test model's. Then a prompt with special tokens, emoji and CJK is tokenized.
enum TokenizerHarness {
    static let names = ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"]
    /// The seed files, read once (LATENT_PRIOR_FUZZ_TOKENIZER, else the fixture beside the sources).
    static let seeds: [String: Data] = {
        let folder = ProcessInfo.processInfo.environment["LATENT_PRIOR_FUZZ_TOKENIZER"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/DiffusionTests/Fixtures/tiny-sd1/tokenizer").path
        var files: [String: Data] = [:]
        for name in names { files[name] = FileManager.default.contents(atPath: folder + "/" + name) ?? Data() }
        return files
    }()

    static func run(_ data: Data) {
        guard let first = data.first else { return }
        let folder = ScratchFolder.folder("tokenizer")
        let replaced = names[Int(first) % names.count]
        for name in names {
            let contents = name == replaced ? data.dropFirst() : seeds[name]!
            _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data(contents))
        }
        guard let tokenizer = try? CLIPTokenizer(directory: folder) else { return }
        _ = tokenizer.inputIDs("a red cube <|endoftext|> 🙂 漢字 over a green screen")
    }
}
