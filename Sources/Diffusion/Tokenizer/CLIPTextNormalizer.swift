/// The text normalisation of the tokenizers-backed CLIP tokenizer (transformers 4's
/// `CLIPTokenizerFast`, transformers 5's only `CLIPTokenizer`; its `normalizer` is
/// `Sequence[NFC, Replace(\s+, " "), Lowercase]`), in that order:
///
/// 1. NFC;
/// 2. every run of white space (Unicode White_Space, what Oniguruma's `\s` matches) becomes one " ";
/// 3. every character is lower-cased on its own (Rust's `char::to_lowercase`: full mappings such as
///    "İ" → "i̇", no context, so "Σ" is always "σ").
///
/// Unlike the slow transformers 4 tokenizer without ftfy (BERT's BasicTokenizer), nothing is
/// dropped and CJK ideographs are not split apart; unlike OpenAI's own tokenizer, no ftfy clean-up
/// (ligatures, curly quotes, HTML entities stay as they are).
enum CLIPTextNormalizer {
    static func normalize(_ text: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        let composed = String(view).precomposedStringWithCanonicalMapping.unicodeScalars
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(composed.count)
        var inWhitespace = false
        for scalar in composed {
            if scalar.properties.isWhitespace {
                if !inWhitespace { output.append(" ") }
                inWhitespace = true
                continue
            }
            inWhitespace = false
            if scalar.isASCII {
                output.append((0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value) | 0x20) : scalar)
            } else {
                output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return output
    }
}
