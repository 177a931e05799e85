/// The words the BPE sees, as the tokenizers-backed CLIP tokenizer's two pre-tokenizers cut them
/// (over normalised, hence lower-case, text; case-sensitive; matches kept, white space dropped):
///
/// 1. CLIP's regex (`Split`):
///
///        <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
///
/// 2. inside each of those, GPT-2's regex (`ByteLevel` with `use_regex`), which only changes the
///    special-token spellings: "<|endoftext|>" that reaches this point (a special token the
///    added-token cut did not take, e.g. written "<|ENDOFTEXT|>") becomes "<|", "endoftext", "|>":
///
///        's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// Hand-written rather than NSRegularExpression: left-to-right passes over code points, with the
/// character classes spelled out here instead of left to ICU's version. At each position the
/// alternatives are tried in the pattern's order and the first that matches wins; where none
/// matches (white space) the scan moves on by one character.
enum CLIPWordSplitter {
    private static let contractions: [[Unicode.Scalar]] = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map { Array($0.unicodeScalars) }
    private static let specialSpellings: [[Unicode.Scalar]] = ["<|startoftext|>", "<|endoftext|>"].map { Array($0.unicodeScalars) }

    /// The words of `text`, in order.
    static func words(in text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        scan(text[...], literals: specialSpellings + contractions, singleDigits: true)
            .flatMap { scan($0, literals: contractions, singleDigits: false) }
    }

    /// One regex pass: literals first, then a run of letters, a digit (CLIP) or a run of digits
    /// (GPT-2), a run of other characters.
    private static func scan(_ text: ArraySlice<Unicode.Scalar>, literals: [[Unicode.Scalar]], singleDigits: Bool) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var start = text.startIndex
        while start < text.endIndex {
            let end = matchEnd(in: text, at: start, literals: literals, singleDigits: singleDigits)
            if end > start {
                words.append(text[start..<end])
                start = end
            } else {
                start += 1
            }
        }
        return words
    }

    /// Where the first matching alternative starting at `start` ends (`start` when none matches).
    private static func matchEnd(in text: ArraySlice<Unicode.Scalar>, at start: Int, literals: [[Unicode.Scalar]], singleDigits: Bool) -> Int {
        for literal in literals where start + literal.count <= text.endIndex && text[start..<(start + literal.count)].elementsEqual(literal) {
            return start + literal.count
        }
        let first = text[start]
        for isMember in [isLetter, isNumber, isOther] where isMember(first) {
            if singleDigits && isNumber(first) { return start + 1 }
            var end = start + 1
            while end < text.endIndex, isMember(text[end]) { end += 1 }
            return end
        }
        return start
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
