import MLXCore

/// Pictures in [0, 1] (generator side) ↔ [−1, 1] (the VAE's input and decoded output).
public enum PictureRange {
    /// [0, 1] → [−1, 1]: 2x − 1.
    public static func toVAE(_ picture: MLXArray) throws -> MLXArray { try picture * 2 - 1 }
    /// [−1, 1] → [0, 1]: (x + 1) / 2 (no clamping; clamp when writing a file).
    public static func fromVAE(_ picture: MLXArray) throws -> MLXArray { try (picture + 1) * 0.5 }
}
