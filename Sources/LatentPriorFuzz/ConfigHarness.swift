import Diffusion
import Foundation

/// A diffusers `config.json`, read as a model folder's loader reads it (`JSONConfig(path:)`:
/// Foundation's JSON parser, then our checks) and then handed to every component configuration, so
/// any key one of them knows is exercised whichever component the bytes resemble.
enum ConfigHarness {
    static func run(_ data: Data) {
        JSONConfig.warn = { _ in }  // unknown keys are expected by the thousand
        let path = ScratchFolder.write(data, as: "config.json")
        guard let config = try? JSONConfig(path: path) else { return }
        _ = try? UNetConfiguration(config: config)
        _ = try? VAEConfiguration(config: config)
        _ = try? TextEncoderConfiguration(config: config)
        _ = try? NoiseSchedule(config: config)
    }
}
