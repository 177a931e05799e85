/// Cuts text around added (special) tokens, as the tokenizers-backed CLIP tokenizer does: at each
/// position the longest token that starts there wins, matched code point for code point. The
/// tokenizer runs two of these: one over the raw text with the tokens whose `normalized` is false,
/// one over each normalised piece with the others. With SD 2.x's `pad_token` "!" this makes every "!"
/// in a prompt the single token "!" (id 0), never part of a word.
struct AddedTokenSplitter {
    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(content: String, id: Int32)
    }

    private struct Entry {
        let scalars: [Unicode.Scalar]
        let token: CLIPAddedToken
        let id: Int32
    }

    private let entries: [Entry]

    /// `tokens` with their ids; each content must appear once.
    init(tokens: [(CLIPAddedToken, Int32)]) {
        var entries: [Entry] = []
        for (token, id) in tokens where !token.content.isEmpty {
            entries.append(Entry(scalars: Array(token.content.unicodeScalars), token: token, id: id))
        }
        // Longest first, so the first match found at a position is the longest.
        self.entries = entries.sorted { $0.scalars.count > $1.scalars.count }
    }

    /// The fragments of `text`, in order; empty text fragments are left out.
    func split(_ text: [Unicode.Scalar]) -> [Fragment] {
        var fragments: [Fragment] = []
        var textStart = 0, position = 0
        var stripNextLeft = false
        func appendText(_ start: Int, _ end: Int, stripRight: Bool) {
            var start = start, end = end
            if stripNextLeft { while start < end, text[start].properties.isWhitespace { start += 1 } }
            if stripRight { while start < end, text[end - 1].properties.isWhitespace { end -= 1 } }
            if start < end { fragments.append(.text(start..<end)) }
        }
        while position < text.count {
            guard let entry = entries.first(where: { matches($0.scalars, text, at: position) }) else {
                position += 1
                continue
            }
            appendText(textStart, position, stripRight: entry.token.stripsLeft)
            fragments.append(.token(content: entry.token.content, id: entry.id))
            stripNextLeft = entry.token.stripsRight
            position += entry.scalars.count
            textStart = position
        }
        appendText(textStart, text.count, stripRight: false)
        return fragments
    }

    private func matches(_ token: [Unicode.Scalar], _ text: [Unicode.Scalar], at position: Int) -> Bool {
        guard text[position] == token[0], position + token.count <= text.count else { return false }
        for offset in 1..<token.count where text[position + offset] != token[offset] { return false }
        return true
    }
}
