import XCTest
@testable import Diffusion

/// Exact agreement with the tokenizers-backed CLIPTokenizer of transformers 5 (reference_ids.json, see its generator script)
/// on prompts chosen to be hard: Unicode, punctuation, contractions, numbers, white space, special
/// tokens in the text, over-long prompts. Token ids are integers: the tolerance is zero.
final class TokenizerReferenceTests: XCTestCase {
    func testReferenceCoversManyPrompts() {
        XCTAssertGreaterThanOrEqual(TokenizerFixtures.reference.cases.count, 50)
        XCTAssert(TokenizerFixtures.reference.transformers.hasPrefix("5."), "the reference is transformers 5's (tokenizers-backed) tokenizer")
    }

    /// CLIP's own tokenizer and the fast one keep a run of CJK ideographs together as one word (the
    /// slow transformers 4 tokenizer without ftfy split each into its own word): the end-of-word
    /// marker appears once, on the last symbol.
    func testIdeographRunsStayOneWord() {
        let tokens = TokenizerFixtures.sd1.tokens("\u{6F22}\u{5B57}")
        XCTAssertEqual(tokens.filter { $0.hasSuffix("</w>") }.count, 1, "\(tokens)")
        XCTAssertTrue(tokens.last?.hasSuffix("</w>") ?? false)
    }

    func testStableDiffusion1InputIDsMatchTransformers() {
        for reference in TokenizerFixtures.reference.cases {
            XCTAssertEqual(TokenizerFixtures.sd1.inputIDs(reference.prompt), reference.sd1, "prompt \(reference.prompt.debugDescription)")
        }
    }

    func testStableDiffusion2InputIDsMatchTransformers() {
        for reference in TokenizerFixtures.reference.cases {
            XCTAssertEqual(TokenizerFixtures.sd2.inputIDs(reference.prompt), reference.sd2, "prompt \(reference.prompt.debugDescription)")
        }
    }

    func testTokenSpellingsMatchTransformers() {
        for reference in TokenizerFixtures.reference.cases {
            XCTAssertEqual(TokenizerFixtures.sd1.tokens(reference.prompt), reference.tokens, "prompt \(reference.prompt.debugDescription)")
        }
    }

    /// Ids other projects publish for the openai/clip-vit-large-patch14 vocabulary: a check of the
    /// vocabulary conversion that does not go through transformers.
    func testWellKnownIDs() {
        let known: [String: [Int32]] = [
            "a photo of a cat": [320, 1125, 539, 320, 2368],
            "A cyberpunk street at night, neon lights!": [320, 36896, 2012, 536, 930, 267, 13919, 3073, 256],
            "the brown fox jumps over the lazy dog": [518, 2866, 3240, 18911, 962, 518, 10753, 1929],
            "Hello World": [3306, 1002],
            "a painting of a dog": [320, 3086, 539, 320, 1929],
        ]
        for (prompt, ids) in known {
            XCTAssertEqual(Array(TokenizerFixtures.sd1.inputIDs(prompt).prefix(ids.count + 2)), [49406] + ids + [49407], prompt)
        }
    }
}
