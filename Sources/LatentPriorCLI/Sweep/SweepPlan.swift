import Foundation

/// The prompts of a sweep and where each one's run goes: one per non-empty line of the prompts
/// file ('#' starts a comment), each in `<output>/<NNN>-<slug>` so folder names stay unique and
/// sorted in the file's order.
struct SweepPlan {
    struct Entry {
        let index: Int
        let prompt: String
        let folder: URL
        /// Written by the sweep when the run ended with status 0: a rerun skips the prompt.
        var doneMarker: URL { folder.appendingPathComponent("sweep-done.json") }
        var isDone: Bool { FileManager.default.fileExists(atPath: doneMarker.path) }
    }

    let output: URL
    let entries: [Entry]

    init(promptsFile: String, output: String) throws {
        guard let data = FileManager.default.contents(atPath: promptsFile) else {
            throw InputError("cannot read prompts file '\(promptsFile)': missing or unreadable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("prompts file '\(promptsFile)' is not UTF-8 text")
        }
        let prompts = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !prompts.isEmpty else { throw InputError("prompts file '\(promptsFile)' holds no prompt (one per line)") }
        guard prompts.count <= 10_000 else { throw InputError("prompts file '\(promptsFile)' holds \(prompts.count) prompts; at most 10000") }
        self.output = URL(fileURLWithPath: output)
        entries = prompts.enumerated().map { index, prompt in
            Entry(index: index, prompt: prompt,
                  folder: URL(fileURLWithPath: output).appendingPathComponent(String(format: "%03d-", index + 1) + Self.slug(prompt)))
        }
    }

    /// Lower-case letters and digits joined by '-', at most 48 characters ("A red cube!" → "a-red-cube").
    static func slug(_ prompt: String) -> String {
        let words = prompt.lowercased().unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : " " }
        let joined = String(words).split(separator: " ").joined(separator: "-")
        return joined.isEmpty ? "prompt" : String(joined.prefix(48))
    }
}
