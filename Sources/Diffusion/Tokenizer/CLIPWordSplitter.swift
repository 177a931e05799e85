/// CLIP's pre-tokenization regex, as `regex.findall` applies it (case-insensitive, over code points):
///
///     <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
///
/// Hand-written rather than NSRegularExpression: one left-to-right pass over code points, with the
/// case folding and character classes spelled out here instead of left to ICU's version. At each
/// position the alternatives are tried in the pattern's order and the first that matches wins;
/// where none matches (whitespace) the scan moves on by one character.
enum CLIPWordSplitter {
    private static let literals: [[Unicode.Scalar]] = [
        "<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
    ].map { Array($0.unicodeScalars) }

    /// The ranges (in `text`'s indices) of the words CLIP's BPE sees.
    static func words(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start = 0
        while start < text.count {
            let end = matchEnd(in: text, at: start)
            if end > start {
                words.append(start..<end)
                start = end
            } else {
                start += 1
            }
        }
        return words
    }

    /// Where the first matching alternative starting at `start` ends (`start` when none matches).
    private static func matchEnd(in text: [Unicode.Scalar], at start: Int) -> Int {
        for literal in literals where matchesIgnoringCase(literal, in: text, at: start) {
            return start + literal.count
        }
        let first = text[start]
        if isLetter(first) {
            var end = start + 1
            while end < text.count, isLetter(text[end]) { end += 1 }
            return end
        }
        if isNumber(first) { return start + 1 }
        if isOther(first) {
            var end = start + 1
            while end < text.count, isOther(text[end]) { end += 1 }
            return end
        }
        return start
    }

    private static func matchesIgnoringCase(_ literal: [Unicode.Scalar], in text: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + literal.count <= text.count else { return false }
        for (offset, expected) in literal.enumerated() where simpleCaseFold(text[start + offset]) != expected {
            return false
        }
        return true
    }

    /// Simple case folding, restricted to what can equal the lower-case ASCII of the literals:
    /// A–Z, U+017F LATIN SMALL LETTER LONG S (folds to "s") and U+212A KELVIN SIGN (folds to "k").
    /// The `regex` module matches "'ſ" as the contraction "'s"; so must we.
    private static func simpleCaseFold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x41...0x5A: return Unicode.Scalar(scalar.value + 0x20)!
        case 0x17F: return "s"
        case 0x212A: return "k"
        default: return scalar
        }
    }

    /// `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return (0x61...0x7A).contains(scalar.value) || (0x41...0x5A).contains(scalar.value)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}`: Nd, Nl, No.
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return (0x30...0x39).contains(scalar.value) }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `[^\s\p{L}\p{N}]`.
    private static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.properties.isWhitespace && !isLetter(scalar) && !isNumber(scalar)
    }
}
