import Foundation
import XCTest
@testable import Diffusion

/// The real CLIP vocabulary (Fixtures/clip-tokenizer, built by scripts/make_tokenizer_reference.py)
/// and the ids transformers' CLIPTokenizer gives for the reference prompts.
enum TokenizerFixtures {
    static let folder: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("clip-tokenizer")

    struct Reference: Decodable {
        struct Case: Decodable {
            let prompt: String
            /// input_ids with SD 1.x settings (pad = <|endoftext|>) and SD 2.x settings (pad = "!").
            let sd1: [Int32]
            let sd2: [Int32]
            /// transformers' `tokenize(prompt)`.
            let tokens: [String]
        }
        let transformers: String
        /// Python's `unicodedata.unidata_version` where the reference was made.
        let unicodedata: String
        let cases: [Case]
    }

    static let reference: Reference = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("reference_ids.json"))
        return try! JSONDecoder().decode(Reference.self, from: data)
    }()

    /// Loading is the slow part; the tests share one tokenizer per style.
    static let sd1: CLIPTokenizer = try! CLIPTokenizer(directory: folder)
    static let sd2: CLIPTokenizer = try! CLIPTokenizer(directory: sd2Folder())

    /// A temporary folder laid out like a diffusers `tokenizer/` folder: the fixture vocabulary and
    /// merges, with `configFolder`'s tokenizer_config.json and special_tokens_map.json.
    static func sd2Folder() throws -> URL {
        let target = try temporaryFolder()
        let manager = FileManager.default
        for name in ["vocab.json", "merges.txt"] {
            try manager.copyItem(at: folder.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            try manager.copyItem(at: folder.appendingPathComponent("sd2").appendingPathComponent(name),
                                 to: target.appendingPathComponent(name))
        }
        return target
    }

    /// A fresh folder inside this process's own temporary folder, which is removed when the test process exits.
    static func temporaryFolder() throws -> URL {
        let url = processFolder.appendingPathComponent("clip-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

private let processFolder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-prior-diffusion-tests-\(getpid())")
    atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("latent-prior-diffusion-tests-\(getpid())")) }
    return url
}()
