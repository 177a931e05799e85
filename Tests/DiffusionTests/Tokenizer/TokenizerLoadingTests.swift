import Foundation
import XCTest
@testable import Diffusion

/// Loading a tokenizer folder: which files are read, which settings win, what errors say.
final class TokenizerLoadingTests: XCTestCase {
    private func folder(vocabulary: String? = nil, merges: String? = nil, extra: [String: String] = [:]) throws -> URL {
        let url = try TokenizerFixtures.temporaryFolder()
        if let vocabulary { try vocabulary.write(to: url.appendingPathComponent("vocab.json"), atomically: false, encoding: .utf8) }
        if let merges { try merges.write(to: url.appendingPathComponent("merges.txt"), atomically: false, encoding: .utf8) }
        for (name, text) in extra { try text.write(to: url.appendingPathComponent(name), atomically: false, encoding: .utf8) }
        return url
    }

    private let tinyVocabulary = #"{"a": 0, "b": 1, "a</w>": 2, "b</w>": 3, "ab</w>": 4, "<|startoftext|>": 5, "<|endoftext|>": 6}"#
    private let tinyMerges = "#version: 0.2\na b</w>\n"

    private func assertThrows(_ expected: CLIPTokenizerError, _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? CLIPTokenizerError, expected, file: file, line: line)
        }
    }

    func testMissingVocabularyNamesItsPath() throws {
        let url = try folder(merges: tinyMerges)
        let path = url.appendingPathComponent("vocab.json").path
        assertThrows(.missingFile(path: path)) { _ = try CLIPTokenizer(directory: url) }
        XCTAssertEqual(CLIPTokenizerError.missingFile(path: path).description, "CLIP tokenizer file not found: '\(path)'")
    }

    func testMissingMergesNamesItsPath() throws {
        let url = try folder(vocabulary: tinyVocabulary)
        assertThrows(.missingFile(path: url.appendingPathComponent("merges.txt").path)) { _ = try CLIPTokenizer(directory: url) }
    }

    func testCorruptVocabularyNamesItsPath() throws {
        for broken in [#"{"a": 0, "b": "#, #"["a", "b"]"#, #"{"a": "zero"}"#, #"{"a": 1.5}"#] {
            let url = try folder(vocabulary: broken, merges: tinyMerges)
            XCTAssertThrowsError(try CLIPTokenizer(directory: url), broken) { error in
                guard case let .malformedFile(path, _)? = error as? CLIPTokenizerError else {
                    return XCTFail("unexpected error \(error)")
                }
                XCTAssertEqual(path, url.appendingPathComponent("vocab.json").path)
                XCTAssert(String(describing: error).contains(path))
            }
        }
    }

    func testCorruptMergesNamesItsPathAndLine() throws {
        let url = try folder(vocabulary: tinyVocabulary, merges: "#version: 0.2\na b</w>\na b c\n")
        let path = url.appendingPathComponent("merges.txt").path
        assertThrows(.malformedFile(path: path, reason: "line 3 has 3 fields, a merge needs 2")) {
            _ = try CLIPTokenizer(directory: url)
        }
        let binary = try folder(vocabulary: tinyVocabulary)
        try Data([0x23, 0xFF, 0xFE, 0x0A]).write(to: binary.appendingPathComponent("merges.txt"))
        assertThrows(.malformedFile(path: binary.appendingPathComponent("merges.txt").path, reason: "not UTF-8 text")) {
            _ = try CLIPTokenizer(directory: binary)
        }
    }

    func testSpecialTokenMissingFromVocabularyIsNamed() throws {
        let url = try folder(vocabulary: tinyVocabulary, merges: tinyMerges, extra: ["special_tokens_map.json": #"{"pad_token": "<pad>"}"#])
        assertThrows(.unknownSpecialToken(path: url.path, role: "pad_token", token: "<pad>")) { _ = try CLIPTokenizer(directory: url) }
    }

    func testConfigFilesAreOptionalAndDefaultToCLIP() throws {
        let tokenizer = try CLIPTokenizer(directory: folder(vocabulary: tinyVocabulary, merges: tinyMerges))
        XCTAssertEqual(tokenizer.specialTokens, CLIPSpecialTokens())
        XCTAssertEqual([tokenizer.beginOfTextID, tokenizer.endOfTextID, tokenizer.paddingID, tokenizer.unknownID], [5, 6, 6, 6])
        XCTAssertEqual(tokenizer.inputIDs("ab a"), [5, 4, 2, 6] + Array(repeating: 6, count: 73))
    }

    /// SD 2.x: special_tokens_map.json's pad_token "!" wins over tokenizer_config.json's.
    func testSpecialTokensMapOverridesTokenizerConfig() throws {
        let tokens = try CLIPSpecialTokens(directory: TokenizerFixtures.folder.appendingPathComponent("sd2"))
        XCTAssertEqual(tokens.padding, CLIPAddedToken("!"))
        XCTAssertEqual(tokens.endOfText, CLIPAddedToken("<|endoftext|>", normalized: true), "the config's object says normalized")
        XCTAssertEqual(tokens.modelMaxLength, 77)
        let config = #"{"model_max_length": 1e30, "bos_token": {"content": "<s>", "lstrip": true, "rstrip": false}}"#
        let url = try folder(extra: ["tokenizer_config.json": config])
        let custom = try CLIPSpecialTokens(directory: url)
        XCTAssertEqual(custom.modelMaxLength, 77, "transformers' 'no limit' falls back to CLIP's 77")
        XCTAssertEqual(custom.beginOfText, CLIPAddedToken("<s>", stripsLeft: true))
    }

    /// model_max_length and additional_special_tokens (with lstrip/rstrip) are read: the config and
    /// the expected ids and tokens are added_tokens_reference.json's (scripts/make_tokenizer_reference.py,
    /// transformers 4's fast and slow tokenizers agreeing; transformers 5 refuses this config).
    func testModelMaxLengthAndAdditionalSpecialTokens() throws {
        let data = try Data(contentsOf: TokenizerFixtures.folder.appendingPathComponent("added_tokens_reference.json"))
        let reference = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let url = try TokenizerFixtures.temporaryFolder()
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: TokenizerFixtures.folder.appendingPathComponent(name), to: url.appendingPathComponent(name))
        }
        for (name, config) in try XCTUnwrap(reference["config"] as? [String: Any]) {
            try JSONSerialization.data(withJSONObject: config).write(to: url.appendingPathComponent(name))
        }
        let tokenizer = try CLIPTokenizer(directory: url)
        XCTAssertEqual(tokenizer.maxLength, 16)
        let cases = try XCTUnwrap(reference["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 4)
        for entry in cases {
            let prompt = try XCTUnwrap(entry["prompt"] as? String)
            XCTAssertEqual(tokenizer.inputIDs(prompt).map(Int.init), try XCTUnwrap(entry["input_ids"] as? [Int]), prompt)
            // The fast tokenizer spells an lstrip/rstrip token with the white space it took (" dog"); ids are what count.
            XCTAssertEqual(tokenizer.tokens(prompt), try XCTUnwrap(entry["tokens"] as? [String]).map { $0.trimmingCharacters(in: .whitespaces) }, prompt)
        }
    }

    func testMergesAfterTheFirst48894AreIgnoredLikeTransformers() throws {
        // Line 48,896 (the 48,895th merge) would merge "a" + "b</w>"; transformers never reads it.
        let filler = (0..<CLIPVocabularyFiles.maximumMergeCount).map { "x\($0) y\($0)\n" }.joined()
        let url = try folder(vocabulary: tinyVocabulary, merges: "#version: 0.2\n" + filler + "a b</w>\n")
        XCTAssertEqual(try CLIPTokenizer(directory: url).tokenIDs("ab"), [0, 3])
    }

    /// The 49,408-token vocabulary loads with every merge (its speed is `latent-prior bench tokenizer`).
    func testRealVocabularyLoads() throws {
        let tokenizer = try CLIPTokenizer(directory: TokenizerFixtures.folder)
        XCTAssertEqual(tokenizer.vocabularySize, 49408)
        XCTAssertEqual(tokenizer.tokens("photograph"), ["photograph</w>"], "a word that needs the last merges")
    }
}
