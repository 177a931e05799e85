import MLXCore

/// Where training images come from: batch `index` of `size` images [B, 64, 64, 3] in [−1, 1]
/// (channels-last) with their captions; deterministic in `index`, so a resumed run sees the same data.
public protocol TrainingBatchSource {
    func batch(index: Int, size: Int) throws -> (images: MLXArray, captions: [String])
}
