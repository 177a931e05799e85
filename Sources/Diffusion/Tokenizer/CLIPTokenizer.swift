import Foundation

/// CLIP's byte-level BPE tokenizer, reproducing the tokenizers-backed CLIP tokenizer (transformers 5's
/// `CLIPTokenizer`, transformers 4's `CLIPTokenizerFast`) as diffusers' Stable Diffusion pipelines call it:
///
///     tokenizer(prompt, padding="max_length", max_length=tokenizer.model_max_length, truncation=True)
///
/// Steps: cut out added/special tokens from the raw text (`AddedTokenSplitter`); clean each
/// remaining piece (`CLIPTextNormalizer`: NFC, white space runs, lower case); split it into words with
/// CLIP's regex (`CLIPWordSplitter`); spell each word's UTF-8 bytes in the byte-level alphabet with
/// "</w>" on the last symbol and merge by rank (`BytePairMerges`); look the symbols up in vocab.json,
/// unknown ones becoming the unknown token.
public final class CLIPTokenizer: @unchecked Sendable {
    public let specialTokens: CLIPSpecialTokens
    /// Ids of `<|startoftext|>`, `<|endoftext|>`, the padding and the unknown token.
    public let beginOfTextID: Int32
    public let endOfTextID: Int32
    public let paddingID: Int32
    public let unknownID: Int32
    /// Number of entries in vocab.json.
    public let vocabularySize: Int
    /// The length `inputIDs` pads and truncates to: `model_max_length` (77 for CLIP).
    public var maxLength: Int { specialTokens.modelMaxLength }

    private let merges: BytePairMerges
    /// vocab.json id of every BPE symbol (the unknown id for symbols not in it).
    private let symbolIDs: [Int32]
    /// Added tokens matched in the raw text, and those matched in the normalised text.
    private let rawAddedTokens: AddedTokenSplitter
    private let normalizedAddedTokens: AddedTokenSplitter

    private let cacheLock = NSLock()
    private var cache: [[UInt8]: [Int32]] = [:]
    private static let cacheLimit = 100_000

    /// Loads a diffusers `tokenizer/` folder: vocab.json and merges.txt (required), and
    /// tokenizer_config.json / special_tokens_map.json (optional).
    public convenience init(directory: URL) throws {
        let vocabularyURL = directory.appendingPathComponent("vocab.json")
        let mergesURL = directory.appendingPathComponent("merges.txt")
        try self.init(
            vocabulary: CLIPVocabularyFiles.readVocabulary(vocabularyURL),
            merges: CLIPVocabularyFiles.readMerges(mergesURL),
            specialTokens: CLIPSpecialTokens(directory: directory),
            source: directory.path)
    }

    /// A tokenizer from an in-memory vocabulary and merge list (merge i has rank i); `source` names
    /// where they came from in errors.
    public init(vocabulary: [String: Int], merges: [(String, String)], specialTokens: CLIPSpecialTokens = CLIPSpecialTokens(),
                source: String = "<in-memory vocabulary>") throws {
        func id(of token: CLIPAddedToken, role: String) throws -> Int32 {
            guard let id = token.id ?? vocabulary[token.content] else {
                throw CLIPTokenizerError.unknownSpecialToken(path: source, role: role, token: token.content)
            }
            return Int32(id)
        }
        self.specialTokens = specialTokens
        vocabularySize = vocabulary.count
        beginOfTextID = try id(of: specialTokens.beginOfText, role: "bos_token")
        endOfTextID = try id(of: specialTokens.endOfText, role: "eos_token")
        unknownID = try id(of: specialTokens.unknown, role: "unk_token")
        paddingID = try id(of: specialTokens.padding, role: "pad_token")
        // transformers' order: bos, eos, unk, pad, then the others.
        var added: [(CLIPAddedToken, Int32)] = [
            (specialTokens.beginOfText, beginOfTextID), (specialTokens.endOfText, endOfTextID),
            (specialTokens.unknown, unknownID), (specialTokens.padding, paddingID),
        ]
        for token in specialTokens.additional {
            added.append((token, try id(of: token, role: "added token")))
        }
        // One entry per content; where a content has several roles (SD 1.x's "<|endoftext|>" is eos, unk
        // and pad) the last role's settings win, as transformers registers them in this order.
        var byContent: [String: (CLIPAddedToken, Int32)] = [:]
        var order: [String] = []
        for entry in added {
            if byContent[entry.0.content] == nil { order.append(entry.0.content) }
            byContent[entry.0.content] = entry
        }
        let unique = order.map { byContent[$0]! }
        rawAddedTokens = AddedTokenSplitter(tokens: unique.filter { !$0.0.normalized })
        normalizedAddedTokens = AddedTokenSplitter(tokens: unique.filter { $0.0.normalized })

        let merges = BytePairMerges(pairs: merges)
        self.merges = merges
        let unknownID = self.unknownID
        symbolIDs = merges.symbols.map { symbol in vocabulary[symbol].map(Int32.init) ?? unknownID }
    }

    /// One token of the output: an added token or a merged BPE symbol.
    private enum Piece {
        case special(content: String, id: Int32)
        case symbol(Int32)
    }

    private func pieces(_ text: String) -> [Piece] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [Piece] = []
        for fragment in rawAddedTokens.split(scalars) {
            switch fragment {
            case let .token(content, id):
                pieces.append(.special(content: content, id: id))
            case let .text(range):
                let normalized = CLIPTextNormalizer.normalize(scalars[range])
                for inner in normalizedAddedTokens.split(normalized) {
                    switch inner {
                    case let .token(content, id):
                        pieces.append(.special(content: content, id: id))
                    case let .text(range):
                        for word in CLIPWordSplitter.words(in: Array(normalized[range])) {
                            var bytes: [UInt8] = []
                            for scalar in word { bytes.append(contentsOf: UTF8.encode(scalar)!) }
                            pieces.append(contentsOf: bytePairs(of: bytes).map(Piece.symbol))
                        }
                    }
                }
            }
        }
        return pieces
    }

    private func bytePairs(of word: [UInt8]) -> [Int32] {
        cacheLock.lock()
        let cached = cache[word]
        cacheLock.unlock()
        if let cached { return cached }
        let symbols = merges.apply(to: merges.initialSymbols(of: word))
        cacheLock.lock()
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[word] = symbols
        cacheLock.unlock()
        return symbols
    }

    /// The BPE tokens of `text` as vocabulary spellings ("photo</w>"), like transformers' `tokenize`.
    public func tokens(_ text: String) -> [String] {
        pieces(text).map { piece in
            switch piece {
            case let .special(content, _): return content
            case let .symbol(symbol): return merges.symbols[Int(symbol)]
            }
        }
    }

    /// The token ids of `text`, without `<|startoftext|>`/`<|endoftext|>`, padding or truncation.
    public func tokenIDs(_ text: String) -> [Int32] {
        pieces(text).map { piece in
            switch piece {
            case let .special(_, id): return id
            case let .symbol(symbol): return symbolIDs[Int(symbol)]
            }
        }
    }

    /// The `input_ids` diffusers feeds the text encoder: `<|startoftext|>`, the first
    /// `length − 2` token ids, `<|endoftext|>`, then padding up to `length` (`maxLength` by default).
    public func inputIDs(_ prompt: String, length: Int? = nil) -> [Int32] {
        let length = length ?? maxLength
        precondition(length >= 2, "input length \(length) leaves no room for <|startoftext|> and <|endoftext|>")
        var ids = [beginOfTextID]
        ids.reserveCapacity(length)
        ids.append(contentsOf: tokenIDs(prompt).prefix(length - 2))
        ids.append(endOfTextID)
        ids.append(contentsOf: repeatElement(paddingID, count: length - ids.count))
        return ids
    }
}
