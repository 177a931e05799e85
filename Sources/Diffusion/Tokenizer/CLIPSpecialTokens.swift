import Foundation

/// A token cut out of the text before the BPE (transformers' `AddedToken`).
public struct CLIPAddedToken: Equatable, Sendable {
    public var content: String
    /// Whether white space to the left/right of the token is dropped with it.
    public var stripsLeft: Bool
    public var stripsRight: Bool
    /// Matched in the normalised (lower-cased) text rather than the raw text. A token written as a
    /// plain string is a special token, matched raw; the config's objects say `"normalized"`.
    public var normalized: Bool
    /// The id given by tokenizer_config.json's `added_tokens_decoder`; nil: the vocabulary's.
    public var id: Int?

    public init(_ content: String, stripsLeft: Bool = false, stripsRight: Bool = false, normalized: Bool = false, id: Int? = nil) {
        self.content = content
        self.stripsLeft = stripsLeft
        self.stripsRight = stripsRight
        self.normalized = normalized
        self.id = id
    }
}

/// The special tokens and sequence length of a tokenizer folder.
///
/// Read as `CLIPTokenizer.from_pretrained` reads them: `tokenizer_config.json` first, then
/// `special_tokens_map.json`, whose entries win. That is how SD 2.x's tokenizer pads with "!"
/// (id 0): its special_tokens_map.json says `"pad_token": "!"` while its tokenizer_config.json
/// says `"<|endoftext|>"`. Missing entries take `CLIPTokenizer.__init__`'s defaults.
public struct CLIPSpecialTokens: Equatable, Sendable {
    public var beginOfText = CLIPAddedToken("<|startoftext|>")
    public var endOfText = CLIPAddedToken("<|endoftext|>")
    public var unknown = CLIPAddedToken("<|endoftext|>")
    public var padding = CLIPAddedToken("<|endoftext|>")
    /// `additional_special_tokens` and `added_tokens_decoder` entries.
    public var additional: [CLIPAddedToken] = []
    /// `model_max_length`. A config without one (or with transformers' "no limit" 1e30) gets CLIP's
    /// context length, 77, since diffusers pads to `tokenizer.model_max_length`.
    public var modelMaxLength = 77

    public init() {}

    /// The settings in `directory`'s tokenizer_config.json and special_tokens_map.json (both optional).
    public init(directory: URL) throws {
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            try apply(Self.readObject(url), from: url)
        }
    }

    private mutating func apply(_ config: [String: Any], from url: URL) throws {
        func token(_ key: String) throws -> CLIPAddedToken? {
            guard let value = config[key], !(value is NSNull) else { return nil }
            guard let token = Self.addedToken(value) else {
                throw CLIPTokenizerError.malformedFile(path: url.path, reason: "\(key) is neither a string nor an object with \"content\"")
            }
            return token
        }
        if let value = try token("bos_token") { beginOfText = value }
        if let value = try token("eos_token") { endOfText = value }
        if let value = try token("unk_token") { unknown = value }
        if let value = try token("pad_token") { padding = value }
        if let length = config["model_max_length"] as? NSNumber, length.doubleValue < 1e9 {
            // Room for <|startoftext|> and <|endoftext|>, and no longer than any text encoder's positions.
            let value = length.doubleValue  // compared as a double first: Int(-1e30) would trap
            guard value == value.rounded(), value >= 2, value <= Double(ConfigBounds.textPositions.upperBound) else {
                throw CLIPTokenizerError.malformedFile(path: url.path, reason: "model_max_length = \(length) is not an integer in 2...\(ConfigBounds.textPositions.upperBound) (or transformers' 'no limit', 1e30)")
            }
            modelMaxLength = Int(length.doubleValue)
        }
        if let decoder = config["added_tokens_decoder"] as? [String: Any] {
            for (id, value) in decoder {
                guard let number = Int(id), number >= 0, number < ConfigBounds.vocabulary.upperBound, var token = Self.addedToken(value) else {
                    throw CLIPTokenizerError.malformedFile(path: url.path, reason: "bad added_tokens_decoder entry '\(JSONConfig.summary(id))' (expected an id in 0..<\(ConfigBounds.vocabulary.upperBound) and a token)")
                }
                let id = number
                token.id = id
                additional.append(token)
            }
        }
        if let extra = config["additional_special_tokens"] as? [Any] {
            for value in extra {
                guard let token = Self.addedToken(value) else {
                    throw CLIPTokenizerError.malformedFile(path: url.path, reason: "bad additional_special_tokens entry")
                }
                additional.append(token)
            }
        }
    }

    /// `"<|endoftext|>"` or `{"content": "<|endoftext|>", "lstrip": false, "rstrip": false, ...}`.
    private static func addedToken(_ value: Any) -> CLIPAddedToken? {
        if let content = value as? String { return CLIPAddedToken(content) }
        guard let object = value as? [String: Any], let content = object["content"] as? String else { return nil }
        return CLIPAddedToken(content, stripsLeft: object["lstrip"] as? Bool ?? false, stripsRight: object["rstrip"] as? Bool ?? false,
                              normalized: object["normalized"] as? Bool ?? false)
    }

    private static func readObject(_ url: URL) throws -> [String: Any] {
        let data = try CLIPVocabularyFiles.readData(url)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIPTokenizerError.malformedFile(path: url.path, reason: "not a JSON object")
        }
        return object
    }
}
