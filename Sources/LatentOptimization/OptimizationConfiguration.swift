import Prior
import Runs

/// A `latent-prior optimize` run: the shortest path from a prompt to a picture with the prior.
/// Written to the run folder as config.json; a resumed run must match it.
public struct OptimizationConfiguration: RunConfiguration {
    public enum Parameterization: String, Codable, CaseIterable, Sendable {
        /// θ = v, the (scaled) latent itself.
        case latent
        /// θ = an RGB image (through tanh), encoded by the frozen VAE encoder to v.
        case rgb
    }

    public var prompt: String
    public var negativePrompt = ""
    public var model: String
    public var parameterization = Parameterization.latent
    public var iterations = 400
    public var learningRate: Float = 0.05
    public var seed: UInt64 = 0
    public var saveEvery = 50
    /// Latent height and width (default: the UNet's sample size).
    public var latentHeight: Int?
    public var latentWidth: Int?
    public var prior = PriorConfiguration()

    public init(prompt: String, model: String) {
        self.prompt = prompt
        self.model = model
    }

    /// Everything but the iteration count must match for a resume (a run may be extended).
    public var resumableSettingsCleared: OptimizationConfiguration {
        var c = self
        c.iterations = 0
        return c
    }

    public func validated() throws -> OptimizationConfiguration {
        try validatedRunSettings()
        guard learningRate > 0, learningRate.isFinite else {
            throw RunError.invalidSetting("--lr must be a positive number, got \(learningRate)")
        }
        return self
    }
}
