import Foundation
import Formats
import MLXCore

/// One file of weights as users have them: safetensors, or a `torch.save` pickle (`.bin`, `.ckpt`,
/// `.pt`) read by the restricted unpickler in Formats, which executes nothing.
public enum WeightsFile {
    /// Extensions read as `torch.save` pickles.
    static let pickleExtensions: Set<String> = ["bin", "ckpt", "pt", "pth"]

    /// Every tensor in the file, keyed by its name (nested dicts of a pickle joined with ".").
    public static func load(_ path: String) throws -> [String: MLXArray] {
        let fileExtension = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard pickleExtensions.contains(fileExtension) else { return try SafetensorsFile.load(path).tensors }
        let file = try TorchFile.load(path)
        let tensors = try file.stateDict()
        guard !tensors.isEmpty else {
            throw FormatError.corrupt(path: path, reason: "the pickle holds no tensors (expected a state dict)")
        }
        return tensors
    }
}
