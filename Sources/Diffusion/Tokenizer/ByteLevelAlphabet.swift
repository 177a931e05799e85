/// The reversible map from the 256 byte values to printable characters that GPT-2 and CLIP BPE
/// vocabularies are written in (transformers' and OpenAI's `bytes_to_unicode`): printable Latin-1
/// bytes map to themselves, the 68 others (controls, space, NBSP, soft hyphen) to U+0100 onwards.
enum ByteLevelAlphabet {
    static let characters: [Unicode.Scalar] = {
        func isPrintable(_ byte: Int) -> Bool {
            (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
        }
        var next = 0x100
        return (0..<256).map { byte in
            if isPrintable(byte) { return Unicode.Scalar(UInt8(byte)) }
            defer { next += 1 }
            return Unicode.Scalar(UInt32(next))!
        }
    }()

    /// The vocabulary spelling of raw UTF-8 bytes.
    static func spelling<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(characters[Int(byte)]) }
        return String(text)
    }
}
