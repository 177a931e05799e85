import Diffusion
import Foundation
import XCTest
@testable import ToyWorld

/// The toy tokenizer files: every toy-world word is one token, and the files load as a CLIP tokenizer.
final class ToyVocabularyTests: XCTestCase {
    func testEveryToyWordIsOneToken() throws {
        let tokenizer = try CLIPTokenizer(vocabulary: ToyVocabulary.vocabulary(), merges: ToyVocabulary.merges())
        for word in ToyVocabulary.words {
            XCTAssertEqual(tokenizer.tokens(word), [word + "</w>"], word)
        }
        // Unseen text still tokenizes, through the byte-level alphabet.
        XCTAssertEqual(tokenizer.tokens("zebra"), ["z", "e", "b", "r", "a</w>"])
    }

    func testWrittenFilesLoadAsCLIPTokenizer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("toy-tokenizer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try ToyVocabulary.write(to: folder)
        let tokenizer = try CLIPTokenizer(directory: folder)
        let ids = tokenizer.inputIDs("a red cube, front view")
        XCTAssertEqual(ids.count, 77)
        XCTAssertEqual(ids[0], tokenizer.beginOfTextID)
        XCTAssertEqual(ids[7], tokenizer.endOfTextID)  // bos, a, red, cube, ",", front, view, eos
        XCTAssertEqual(tokenizer.vocabularySize, ToyVocabulary.vocabulary().count)
    }
}
