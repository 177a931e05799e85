import Foundation
import MLXCore

/// Reading `vocab.json` and `merges.txt` as transformers' `CLIPTokenizer` reads them.
enum CLIPVocabularyFiles {
    /// transformers reads only merge lines 1…48,894 (49,152 − 256 byte symbols − 2 special tokens),
    /// whatever the file's length.
    static let maximumMergeCount = 49152 - 256 - 2

    static func readData(_ url: URL) throws -> Data {
        guard FileManager.default.isReadableFile(atPath: url.path),
              let data = try? Data(contentsOf: url) else {
            throw CLIPTokenizerError.missingFile(path: url.path)
        }
        return data
    }

    /// vocab.json: one JSON object from token spelling to integer id.
    static func readVocabulary(_ url: URL) throws -> [String: Int] {
        let data = try readData(url)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw CLIPTokenizerError.malformedFile(path: url.path, reason: jsonErrorReason(error))
        }
        guard let entries = object as? [String: Any] else {
            throw CLIPTokenizerError.malformedFile(path: url.path, reason: "expected a JSON object of token → id")
        }
        var vocabulary = [String: Int](minimumCapacity: entries.count)
        for (token, value) in entries {
            guard let number = value as? NSNumber,
                  let id = Int(exactly: number.doubleValue), id >= 0, id <= Int(Int32.max) else {
                throw CLIPTokenizerError.malformedFile(path: url.path, reason: "the id of token '\(token)' is not a non-negative integer")
            }
            vocabulary[token] = id
        }
        return vocabulary
    }

    /// merges.txt: Python's `read().strip().split("\n")[1 : 48894 + 1]`, each line split on
    /// whitespace. The first line is skipped whatever it holds (normally "#version: 0.2"); blank
    /// lines are ignored as transformers ignores them; any other line must hold exactly two symbols.
    static func readMerges(_ url: URL) throws -> [(String, String)] {
        let data = try readData(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIPTokenizerError.malformedFile(path: url.path, reason: "not UTF-8 text")
        }
        // strip(): only the ends are scanned, so this stays cheap.
        let scalars = text.unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, isPythonSpace(scalars[start]) { scalars.formIndex(after: &start) }
        while start < end, isPythonSpace(scalars[scalars.index(before: end)]) { scalars.formIndex(before: &end) }
        let bytes = Array(text.utf8[start..<end])

        var pairs: [(String, String)] = []
        pairs.reserveCapacity(maximumMergeCount)
        var lineStart = 0, lineNumber = 1
        while lineStart <= bytes.count, lineNumber <= maximumMergeCount + 1 {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            if lineNumber > 1 {
                let fields = splitOnWhitespace(bytes[lineStart..<lineEnd])
                if fields.count == 2 {
                    pairs.append((fields[0], fields[1]))
                } else if !fields.isEmpty {
                    throw CLIPTokenizerError.malformedFile(
                        path: url.path, reason: "line \(lineNumber) has \(fields.count) fields, a merge needs 2")
                }
            }
            lineStart = lineEnd + 1
            lineNumber += 1
        }
        return pairs
    }

    /// Python's `line.split()`. Lines are split on ASCII whitespace bytes; a line that holds a
    /// non-ASCII byte is re-split on Unicode scalars in case it holds a non-ASCII space.
    private static func splitOnWhitespace(_ line: ArraySlice<UInt8>) -> [String] {
        if line.contains(where: { $0 >= 0x80 }) {
            return String(decoding: line, as: UTF8.self).unicodeScalars
                .split(whereSeparator: isPythonSpace)
                .map { String(String.UnicodeScalarView($0)) }
        }
        return line.split(whereSeparator: { $0 == 0x20 || (0x09...0x0D).contains($0) || (0x1C...0x1F).contains($0) })
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Python's `str.isspace` (what `str.split()` splits on): White_Space plus U+001C…U+001F.
    private static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        (0x1C...0x1F).contains(scalar.value) || scalar.properties.isWhitespace
    }
}
