import Diffusion
import Foundation
import MLXCore

/// Forward times of Stable Diffusion's components on one model folder, the figures SPEC §6 and
/// docs/BENCHMARKS.md compare against diffusers: UNet (batch 2, 64×64 latents), VAE decoder
/// (64×64 latents), text encoder (batch 2 × 77 tokens). Inputs are fixed random tensors.
public struct StableDiffusionBenchmark {
    public let folder: any StableDiffusionSource
    public var repeats = 3
    public var latentSize = 64
    public var components = ["text-encoder", "unet", "vae-decode"]

    public init(folder: any StableDiffusionSource) {
        self.folder = folder
    }

    public func run(report: (TimedRow) -> Void) throws {
        let keys = try Random.split(try Random.key(0), count: 3)
        for component in components {
            let row: TimedRow
            switch component {
            case "text-encoder":
                let encoder = try folder.loadTextEncoder()
                let ids = try Random.randint([2, 77], low: 0, high: encoder.configuration.vocabularySize, key: keys[0])
                row = try measure(component) { try encoder(ids).eval() }
            case "unet":
                let unet = try folder.loadUNet()
                let c = unet.configuration
                let sample = try Random.normal([2, latentSize, latentSize, c.inChannels], key: keys[1])
                let context = try Random.normal([2, 77, c.crossAttentionDimensions], key: keys[2])
                let t = try MLXArray([Float(500), Float(500)])
                row = try measure(component) { try unet(sample, timesteps: t, context: context).eval() }
            case "vae-decode":
                let vae = try folder.loadVAE()
                let latents = try Random.normal([1, latentSize, latentSize, vae.configuration.latentChannels], key: keys[1])
                row = try measure(component) { try vae.decode(latents).eval() }
            default:
                throw MLXError("unknown component '\(component)' (use text-encoder, unet, vae-decode)")
            }
            report(row)
        }
    }

    private func measure(_ name: String, _ body: () throws -> Void) throws -> TimedRow {
        try TimedRow.measure(name, repeats: repeats, body)
    }
}
