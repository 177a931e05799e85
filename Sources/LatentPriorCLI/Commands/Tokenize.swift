import ArgumentParser
import Diffusion
import Foundation

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the 77 CLIP token ids of each prompt (one JSON array per line), as diffusers pads and truncates them.")

    @OptionGroup var modelOption: ModelOption

    @Argument(help: "One or more prompts.")
    var prompts: [String]

    func run() throws {
        guard !prompts.isEmpty else { throw ValidationError("give at least one prompt") }
        let tokenizer = try modelOption.open().makeTokenizer()
        for prompt in prompts {
            print("[" + tokenizer.inputIDs(prompt).map(String.init).joined(separator: ", ") + "]")
        }
    }
}
