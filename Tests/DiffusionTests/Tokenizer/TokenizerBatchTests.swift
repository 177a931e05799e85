import MLXCore
import XCTest
@testable import Diffusion

final class TokenizerBatchTests: XCTestCase {
    func testBatchIsInt32WithOneRowPerPrompt() throws {
        let tokenizer = TokenizerFixtures.sd1
        let prompts = ["a photo of a cat", "", Array(repeating: "astronaut", count: 100).joined(separator: " ")]
        let batch = try tokenizer.inputIDs(prompts)
        XCTAssertEqual(batch.shape, [3, 77])
        XCTAssertEqual(batch.dtype, .int32)
        XCTAssertEqual(try batch.toArray(Int32.self), prompts.flatMap { tokenizer.inputIDs($0) })
    }

    func testEmptyBatch() throws {
        XCTAssertEqual(try TokenizerFixtures.sd1.inputIDs([String]()).shape, [0, 77])
    }
}
