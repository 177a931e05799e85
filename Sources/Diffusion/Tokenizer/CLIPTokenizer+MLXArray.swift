import MLXCore

extension CLIPTokenizer {
    /// The `input_ids` of a batch of prompts as an int32 array of shape [prompts.count, length]
    /// (`maxLength`, 77, by default), ready for the text encoder.
    public func inputIDs(_ prompts: [String], length: Int? = nil) throws -> MLXArray {
        let length = length ?? maxLength
        let ids = prompts.flatMap { inputIDs($0, length: length) }
        return try MLXArray(ids, shape: [prompts.count, length])
    }
}
