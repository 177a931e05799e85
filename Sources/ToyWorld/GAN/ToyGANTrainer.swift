import Foundation
import MLXCore
import NN
import Runs
import StyleGAN

/// Trains the toy StyleGAN2 (the `adapt-stylegan` default) with StyleGAN2's recipe as rosinality's
/// train.py runs it: per step a discriminator update on the non-saturating logistic loss
/// softplus(−D(x)) + softplus(D(G(z))), every `r1Every` steps the lazy R1 penalty
/// γ/2 · ‖∇ₓD(x)‖² (× r1Every, with Adam's rate and β₂ adjusted by r1Every/(r1Every + 1)), a
/// generator update on softplus(−D(G(z))) with style mixing, and an exponential moving average of
/// the generator's weights (the generator that is shipped). Checkpoints to `stateFolder`.
public final class ToyGANTrainer {
    public let configuration: ToyGANConfiguration
    public let generator: StyleGAN2Generator
    public let averaged: StyleGAN2Generator
    public let discriminator: StyleGAN2Discriminator
    let data: CubePictures
    let generatorOptimizer: Adam
    let discriminatorOptimizer: Adam
    let stateFolder: URL
    public private(set) var completedSteps = 0

    public struct Step {
        public let step: Int
        public let discriminatorLoss: Float
        public let generatorLoss: Float
        /// ‖∇ₓD(x)‖² mean at the steps that apply R1.
        public let r1: Float?
    }

    public init(configuration: ToyGANConfiguration, stateFolder: URL, resume: Bool) throws {
        let c = try configuration.validated()
        self.configuration = c
        self.stateFolder = stateFolder
        let architecture = try c.architecture()
        generator = try StyleGAN2Generator(architecture: architecture, seed: c.seed)
        averaged = try StyleGAN2Generator(architecture: architecture, seed: c.seed)
        discriminator = try StyleGAN2Discriminator(size: c.size, channels: c.channels, seed: c.seed &+ 1)
        // rosinality: d_reg_ratio = r1Every / (r1Every + 1) scales the rate and the betas' exponents.
        let ratio = Float(c.r1Every) / Float(c.r1Every + 1)
        generatorOptimizer = Adam(learningRate: c.learningRate, betas: (0, 0.99))
        discriminatorOptimizer = Adam(learningRate: c.learningRate * ratio, betas: (0, Float(pow(0.99, Double(ratio)))))
        try FileManager.default.createDirectory(at: stateFolder, withIntermediateDirectories: true)
        data = try CubePictures(count: c.datasetSize, size: c.size, seed: c.seed)
        if RunNotices.prepareStateFolder(stateFolder.path, checkpoint: statePath, resume: resume) { try restore() }
    }

    var statePath: String { stateFolder.appendingPathComponent("gan-state.safetensors").path }

    /// softplus(x) = log(1 + eˣ), stably.
    static func softplus(_ x: MLXArray) throws -> MLXArray { try logAddExp(x, zeros(like: x)) }

    /// Fakes for a step: z (and a second z for style mixing with probability `mixing`), random noise.
    func fakes(_ g: StyleGAN2Generator, step: Int, stream: UInt64) throws -> MLXArray {
        let c = configuration
        var host = StepRandomness(seed: c.seed).generator(step: step, stream: stream)
        let keys = try Random.split(try Random.key(host.next()), count: 3)
        let z = try Random.normal([c.batchSize, c.styleDimension], key: keys[0])
        var styles = [try g.mapping(z)]
        var index: Int?
        if host.nextUnit() < Double(c.mixing) {
            styles.append(try g.mapping(try Random.normal([c.batchSize, c.styleDimension], key: keys[1])))
            index = 1 + Int(host.next() % UInt64(g.architecture.latentCount - 1))
        }
        return try g.synthesize(g.latents(styles, mixingIndex: index), noise: .random(keys[2]))
    }

    /// Runs the remaining steps; `report` sees each.
    public func train(report: (Step) -> Void) throws {
        let c = configuration
        try eval((generator.namedParameters() + averaged.namedParameters() + discriminator.namedParameters()).map(\.parameter.value))
        StopRequests.listen()
        defer { StopRequests.stopListening() }
        while completedSteps < c.steps {
            let step = completedSteps + 1
            let real = try data.batch(step: step, size: c.batchSize, seed: c.seed)
            let discriminator = self.discriminator, generator = self.generator

            let fake = try stopGradient(fakes(generator, step: step, stream: 1))
            let (dLoss, dGradients) = try discriminator.valueAndGradients {
                try Self.softplus(-discriminator(real)).mean() + Self.softplus(discriminator(fake)).mean()
            }
            try discriminatorOptimizer.update(discriminator, gradients: dGradients)

            var r1Value: Float?
            if step % c.r1Every == 0 {
                let (penalty, rGradients) = try discriminator.valueAndGradients {
                    let slope = try grad({ [try discriminator($0[0]).sum()] })([real])[0]
                    return try square(slope).sum(axes: [1, 2, 3]).mean()
                }
                let weight = c.r1 / 2 * Float(c.r1Every)
                try discriminatorOptimizer.update(discriminator, gradients: try rGradients.mapValues { try $0 * weight })
                r1Value = try penalty.item(Float.self)
            }

            let (gLoss, gGradients) = try generator.valueAndGradients {
                try Self.softplus(-discriminator(self.fakes(generator, step: step, stream: 2))).mean()
            }
            try generatorOptimizer.update(generator, gradients: gGradients)
            let halfLife = min(Double(c.emaHalfLifeImages), max(Double(step * c.batchSize) * c.emaRampUp, 1))
            try accumulateAverage(Float(pow(0.5, Double(c.batchSize) / halfLife)))

            let numbers = try [dLoss, gLoss].map { try $0.item(Float.self) }
            guard numbers.allSatisfy(\.isFinite), r1Value?.isFinite ?? true else {
                throw ToyTrainingError.nonFinite(stage: "GAN", step: step)
            }
            completedSteps = step
            report(Step(step: step, discriminatorLoss: numbers[0], generatorLoss: numbers[1], r1: r1Value))
            if step % c.checkpointEvery == 0 || step == c.steps { try saveState() }
            if let signal = StopRequests.pending, step < c.steps {
                if step % c.checkpointEvery != 0 { try saveState() }
                StopRequests.clear()
                throw RunError.stopped(signal: signal, step: step, checkpoint: statePath)
            }
        }
    }

    /// averaged ← averaged · a + generator · (1 − a), parameter by parameter (rosinality's accumulate).
    private func accumulateAverage(_ a: Float) throws {
        var updated: [MLXArray] = []
        for ((_, target), (_, source)) in zip(averaged.namedParameters(), generator.namedParameters()) {
            target.value = try target.value * a + source.value * (1 - a)
            updated.append(target.value)
        }
        try eval(updated)
    }

    // MARK: checkpoints

    private func saveState() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try CheckpointFile(groups: [
            "generator": try generator.weightsInRosinalityLayout(), "averaged": try averaged.weightsInRosinalityLayout(),
            "discriminator": try discriminator.weightsInFileLayout(),
            "adam_g": try generatorOptimizer.state(), "adam_d": try discriminatorOptimizer.state(),
        ], metadata: ["step": "\(completedSteps)", "config": String(decoding: try encoder.encode(configuration), as: UTF8.self)]).save(to: statePath)
    }

    private func restore() throws {
        let file = try CheckpointFile.load(from: statePath)
        guard let step = file.metadata["step"].flatMap(Int.init), let text = file.metadata["config"],
              var saved = try? JSONDecoder().decode(ToyGANConfiguration.self, from: Data(text.utf8)) else {
            throw ToyTrainingError.incompatibleCheckpoint(path: statePath, reason: "not a train-toy-gan checkpoint")
        }
        saved.steps = configuration.steps
        guard saved == configuration else {
            throw ToyTrainingError.incompatibleCheckpoint(path: statePath, reason: "it was made with other settings (only --steps may change)")
        }
        try generator.load(rosinalityWeights: file.groups["generator"] ?? [:], source: statePath)
        try averaged.load(rosinalityWeights: file.groups["averaged"] ?? [:], source: statePath)
        try discriminator.load(weights: file.groups["discriminator"] ?? [:], source: statePath)
        try generatorOptimizer.restore(file.groups["adam_g"] ?? [:])
        try discriminatorOptimizer.restore(file.groups["adam_d"] ?? [:])
        completedSteps = step
    }
}
