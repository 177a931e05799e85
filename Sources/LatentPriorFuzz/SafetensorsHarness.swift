import Foundation
import MLXCore

/// A safetensors file as `SafetensorsFile.load` reads it: our header check (`SafetensorsHeader`),
/// then MLX's own parser, then the tensors evaluated, which is where MLX used to trap on a header it
/// trusted. The loader takes only a path, so the bytes go through a scratch file.
enum SafetensorsHarness {
    static func run(_ data: Data) {
        let path = ScratchFolder.write(data, as: "input.safetensors")
        guard let file = try? SafetensorsFile.load(path) else { return }
        _ = try? eval(Array(file.tensors.values))
    }
}
