import ArgumentParser
import Foundation
import ToyWorld

struct TrainToyGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-toy-gan",
        abstract: "Train the toy StyleGAN2 (64×64 cubes of every colour, StyleGAN2's recipe) and write it as generator.safetensors.",
        discussion: "Checkpoints go to OUTPUT/training-state/ every --checkpoint-every steps; --resume continues from there. "
            + "The EMA generator is written to OUTPUT/generator.safetensors (rosinality's keys, float16) at the end.")

    @Option(help: "Folder to write (training state goes to its training-state/ subfolder).")
    var output: String

    @Option(help: "Training steps (each: a discriminator and a generator update).")
    var steps = ToyGANConfiguration().steps

    @Option(help: "Pictures per step (a multiple of 4).")
    var batchSize = ToyGANConfiguration().batchSize

    @Option(help: "Seed of the data and the initialisation.")
    var seed: UInt64 = 0

    @Option(help: "Checkpoint every N steps.")
    var checkpointEvery = ToyGANConfiguration().checkpointEvery

    @Flag(help: "Continue from OUTPUT/training-state/.")
    var resume = false

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        var configuration = ToyGANConfiguration()
        configuration.steps = steps
        configuration.batchSize = batchSize
        configuration.seed = seed
        configuration.checkpointEvery = checkpointEvery
        let folder = URL(fileURLWithPath: output)
        let start = Date()
        let trainer = try ToyGANTrainer(configuration: configuration, stateFolder: folder.appendingPathComponent("training-state"), resume: resume)
        if trainer.completedSteps > 0 { print("resuming at step \(trainer.completedSteps) of \(steps)") }
        let progress = ProgressBar(total: steps, label: "gan")
        var r1: Float = 0
        try trainer.train { step in
            if let value = step.r1 { r1 = value }
            progress.update(step: step.step, values: ["d": step.discriminatorLoss, "g": step.generatorLoss, "r1": r1])
        }
        try ToyGANExport.write(trainer, to: folder)
        print(String(format: "trained in %.1f min; generator written to %@/generator.safetensors", Date().timeIntervalSince(start) / 60, output))
    }
}
