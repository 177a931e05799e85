import Foundation

/// The text clean-up transformers' (slow) `CLIPTokenizer` does before BPE when `ftfy` is not
/// installed: `" ".join(BasicTokenizer(strip_accents=False, do_split_on_punc=False).tokenize(text))`.
///
/// In order: drop NUL, U+FFFD and every "C*" category character except tab/newline/return; turn
/// tab/newline/return and "Zs" spaces into " "; put spaces around CJK ideographs; NFC; split on
/// Python's `str.isspace` characters; lower-case each piece with Python's `str.lower` (full Unicode
/// mappings, Greek final sigma); join with single spaces. Accents are kept, punctuation is not split
/// and HTML entities are not unescaped (only ftfy's path does that).
enum CLIPTextCleaner {
    /// Characters assigned after this Unicode version are unassigned ("Cn", hence dropped) for the
    /// reference: Python 3.11's `unicodedata` is Unicode 14.0 (3.12 uses 15.0, 3.13 15.1).
    static let unicodeVersion = (major: 14, minor: 0)

    static func clean(_ text: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var spaced = String.UnicodeScalarView()
        for scalar in text {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isBasicWhitespace(scalar) {
                spaced.append(" ")
            } else if isCJKIdeograph(scalar) {
                spaced.append(" ")
                spaced.append(scalar)
                spaced.append(" ")
            } else {
                spaced.append(scalar)
            }
        }
        let composed = String(spaced).precomposedStringWithCanonicalMapping.unicodeScalars
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(composed.count)
        var piece: [Unicode.Scalar] = []
        for scalar in composed {
            if isPythonSpace(scalar) {
                appendLowercased(piece, to: &output)
                piece.removeAll(keepingCapacity: true)
            } else {
                piece.append(scalar)
            }
        }
        appendLowercased(piece, to: &output)
        return output
    }

    /// Appends `piece`, lower-cased, after a separating space (nothing for an empty piece).
    private static func appendLowercased(_ piece: [Unicode.Scalar], to output: inout [Unicode.Scalar]) {
        guard !piece.isEmpty else { return }
        if !output.isEmpty { output.append(" ") }
        for (index, scalar) in piece.enumerated() {
            if scalar.isASCII {
                output.append((0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value) | 0x20) : scalar)
            } else if scalar.value == 0x3A3 {
                output.append(isFinalSigma(in: piece, at: index) ? "\u{3C2}" : "\u{3C3}")
            } else {
                output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
    }

    /// CPython's Final_Sigma test: a cased letter before Σ and none after it, skipping case-ignorables.
    private static func isFinalSigma(in piece: [Unicode.Scalar], at index: Int) -> Bool {
        let before = piece[..<index].last { !$0.properties.isCaseIgnorable }
        guard let before, before.properties.isCased else { return false }
        let after = piece[(index + 1)...].first { !$0.properties.isCaseIgnorable }
        return !(after?.properties.isCased ?? false)
    }

    /// transformers' `_is_control`: any "C*" category except tab, newline and carriage return.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        if !isAssigned(scalar) { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    private static func isAssigned(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return (age.major, age.minor) <= unicodeVersion
    }

    /// transformers' `_is_whitespace`: space, tab, newline, carriage return and "Zs".
    private static func isBasicWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
            || scalar.properties.generalCategory == .spaceSeparator
    }

    /// Python's `str.isspace` (what `str.split()` splits on): White_Space plus U+001C…U+001F.
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        (0x1C...0x1F).contains(scalar.value) || scalar.properties.isWhitespace
    }

    /// BERT's "Chinese character" blocks (CJK Unified Ideographs and extensions, compatibility
    /// ideographs); kana and hangul are not among them.
    private static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
