import MLXCore

/// Turns prompts into 77 token ids each (padded and truncated as diffusers pipelines do).
public protocol PromptTokenizer {
    func paddedTokenIDs(_ prompt: String) throws -> [Int32]
}

extension CLIPTokenizer: PromptTokenizer {
    public func paddedTokenIDs(_ prompt: String) throws -> [Int32] { inputIDs(prompt) }
}

/// Tokenizer + text encoder: prompts → text embeddings [N, 77, D], each distinct prompt encoded
/// once and cached (view-dependent prompts repeat every iteration).
public final class PromptEncoder {
    public let tokenizer: PromptTokenizer
    public let textEncoder: CLIPTextModel
    private var cache: [String: MLXArray] = [:]

    public init(tokenizer: PromptTokenizer, textEncoder: CLIPTextModel) {
        self.tokenizer = tokenizer
        self.textEncoder = textEncoder
    }

    public func encode(_ prompts: [String]) throws -> MLXArray {
        guard !prompts.isEmpty else { throw DiffusionError.invalidInput("no prompt given (the prompt list is empty)") }
        let missing = Array(Set(prompts.filter { cache[$0] == nil })).sorted()
        if !missing.isEmpty {
            let ids = try missing.map { try tokenizer.paddedTokenIDs($0) }
            let batch = try MLXArray(ids.flatMap { $0 }, shape: [missing.count, ids[0].count])
            let embeddings = try textEncoder(batch)
            try embeddings.eval()
            for (index, prompt) in missing.enumerated() {
                cache[prompt] = try embeddings.sliced(axis: 0, index..<(index + 1))
            }
        }
        return try concatenated(prompts.map { cache[$0]! }, axis: 0)
    }
}
