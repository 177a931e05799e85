import ArgumentParser
import Foundation
import ToyWorld

struct TrainToy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-toy",
        abstract: "Train the toy-world model (VAE, text encoder + UNet, then the VAE decoder alone) and write it as a diffusers folder.",
        discussion: "Checkpoints go to OUTPUT/training-state/ every --checkpoint-every steps; --resume continues from there. The model folder (fp16 weights) is written to OUTPUT at the end.")

    @Option(help: "Model folder to write (training state goes to its training-state/ subfolder).")
    var output: String

    @Option(help: "Diffusion (text encoder + UNet) training steps.")
    var steps = ToyTrainingConfiguration().diffusionSteps

    @Option(help: "VAE training steps.")
    var vaeSteps = ToyTrainingConfiguration().vaeSteps

    @Option(help: "Decoder refinement steps (VAE encoder frozen) after the diffusion stage.")
    var decoderSteps = ToyTrainingConfiguration().decoderSteps

    @Option(help: "Images per diffusion step.")
    var batchSize = ToyTrainingConfiguration().batchSize

    @Option(help: "Images per VAE step.")
    var vaeBatchSize = ToyTrainingConfiguration().vaeBatchSize

    @Option(help: "Seed of the data and the initialisation.")
    var seed: UInt64 = 0

    @Option(help: "Checkpoint every N steps.")
    var checkpointEvery = ToyTrainingConfiguration().checkpointEvery

    @Flag(help: "Continue from OUTPUT/training-state/.")
    var resume = false

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        var configuration = ToyTrainingConfiguration()
        configuration.diffusionSteps = steps
        configuration.vaeSteps = vaeSteps
        configuration.decoderSteps = decoderSteps
        configuration.batchSize = batchSize
        configuration.vaeBatchSize = vaeBatchSize
        configuration.seed = seed
        configuration.checkpointEvery = checkpointEvery
        let folder = URL(fileURLWithPath: output)
        let trainer = try ToyTrainer(configuration: configuration, data: ToyDataset(seed: seed),
                                     stateFolder: folder.appendingPathComponent("training-state"), resume: resume)
        let start = Date()
        var bars: [ToyTrainer.Stage: ProgressBar] = [:]
        var lossAverage: Float = 0
        try trainer.train { stage, step, total, loss in
            if bars[stage] == nil { bars[stage] = ProgressBar(total: total, label: stage.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) }
            lossAverage = step == 1 ? loss : 0.98 * lossAverage + 0.02 * loss
            bars[stage]!.update(step: step, values: ["loss": loss, "avg": lossAverage])
        }
        try ToyModelExport.write(trainer, to: folder)
        print(String(format: "trained in %.1f min; model written to %@ (VAE scaling factor %.4f)",
                     Date().timeIntervalSince(start) / 60, output, trainer.vae.scalingFactor))
    }
}
