/// A value taken from a user's file, made fit for a one-line message: control characters and
/// newlines escaped, cut after `limit` characters with the full length said (a hostile file can
/// hold megabytes, or binary bytes, where a name or number was expected).
public enum MessageText {
    public static func value(_ text: String, limit: Int = 60) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit { return result + "… (\(text.unicodeScalars.count) characters)" }
            // Control characters (newlines above all) escaped; quotes and the rest kept as they are.
            let control = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            result += control ? scalar.escaped(asASCII: true) : String(scalar)
            count += 1
        }
        return result
    }
}
