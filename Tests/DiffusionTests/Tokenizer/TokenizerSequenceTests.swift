import XCTest
@testable import Diffusion

/// The shape of diffusers' `input_ids`: <|startoftext|>, tokens, <|endoftext|>, padding; 77 long.
final class TokenizerSequenceTests: XCTestCase {
    private let tokenizer = TokenizerFixtures.sd1

    func testSpecialTokenIDsAndLength() {
        XCTAssertEqual(tokenizer.vocabularySize, 49408)
        XCTAssertEqual(tokenizer.maxLength, 77)
        XCTAssertEqual(tokenizer.beginOfTextID, 49406)
        XCTAssertEqual(tokenizer.endOfTextID, 49407)
        XCTAssertEqual(tokenizer.unknownID, 49407)
        XCTAssertEqual(tokenizer.paddingID, 49407)
        XCTAssertEqual(TokenizerFixtures.sd2.paddingID, 0, "SD 2.x pads with \"!\"")
    }

    func testShortPromptIsWrappedAndPadded() {
        let ids = TokenizerFixtures.sd2.inputIDs("a photo of a cat")
        XCTAssertEqual(ids.count, 77)
        XCTAssertEqual(Array(ids.prefix(7)), [49406, 320, 1125, 539, 320, 2368, 49407])
        XCTAssertEqual(Set(ids.dropFirst(7)), [0])
    }

    func testEmptyPromptIsBeginAndEndOnly() {
        XCTAssertEqual(tokenizer.inputIDs(""), [49406] + Array(repeating: 49407, count: 76))
        XCTAssertEqual(tokenizer.tokenIDs("  \t\n "), [])
    }

    func testLongPromptKeepsFirst75TokensThenEnd() {
        let prompt = Array(repeating: "cat dog", count: 60).joined(separator: " ")
        let tokens = tokenizer.tokenIDs(prompt)
        XCTAssertEqual(tokens.count, 120)
        let ids = tokenizer.inputIDs(prompt)
        XCTAssertEqual(ids.count, 77)
        XCTAssertEqual(ids.first, 49406)
        XCTAssertEqual(Array(ids[1...75]), Array(tokens.prefix(75)))
        XCTAssertEqual(ids.last, 49407)
    }

    func testSeventyFiveTokensFitExactlyAndSeventySixAreCut() {
        let fits = tokenizer.inputIDs(Array(repeating: "cat", count: 75).joined(separator: " "))
        XCTAssertEqual(fits, [49406] + Array(repeating: 2368, count: 75) + [49407])
        let cut = tokenizer.inputIDs(Array(repeating: "cat", count: 76).joined(separator: " "))
        XCTAssertEqual(cut, fits)
    }

    func testOtherLengths() {
        XCTAssertEqual(tokenizer.inputIDs("a photo of a cat", length: 4), [49406, 320, 1125, 49407])
        XCTAssertEqual(tokenizer.inputIDs("a cat", length: 6), [49406, 320, 2368, 49407, 49407, 49407])
        XCTAssertEqual(tokenizer.inputIDs("a cat", length: 2), [49406, 49407])
    }

    func testSpecialTokensInTextAreKeptWhole() {
        XCTAssertEqual(tokenizer.tokenIDs("a <|endoftext|> b"), [320, 49407, 321])
        XCTAssertEqual(tokenizer.tokens("x<|startoftext|>"), ["x</w>", "<|startoftext|>"])
    }

    func testUnknownSymbolsBecomeTheUnknownToken() throws {
        // A vocabulary without "b</w>": the merged symbol of "ab" is missing too.
        let vocabulary = ["a</w>": 0, "<|startoftext|>": 1, "<|endoftext|>": 2]
        let tokenizer = try CLIPTokenizer(vocabulary: vocabulary, merges: [("a", "b</w>")])
        XCTAssertEqual(tokenizer.tokenIDs("a b ab"), [0, 2, 2])
        XCTAssertEqual(tokenizer.tokens("ab"), ["ab</w>"])
    }
}
