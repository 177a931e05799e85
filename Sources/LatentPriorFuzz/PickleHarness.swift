import Formats
import Foundation

/// The restricted unpickler on raw pickle bytes, and torch.save files (zip or legacy) through
/// `TorchFile.load`, tensors and all.
enum PickleHarness {
    static func run(_ data: Data) {
        _ = try? PickleFile.decode(data, path: "input.pkl")
        if let file = try? TorchFile.load(ScratchFolder.write(data, as: "input.pt")) {
            _ = try? file.stateDict()
        }
    }
}
