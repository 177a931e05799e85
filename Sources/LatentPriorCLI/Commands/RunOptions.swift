import ArgumentParser
import Diffusion
import Foundation
import Prior
import Runs

/// What every prompt-driven application command takes: the prompt, the model and the run folder.
struct RunOptions: ParsableArguments {
    @Option(help: "What the result should show.")
    var prompt: String

    @Option(help: "The unconditional prompt for guidance.")
    var negativePrompt = ""

    @OptionGroup var modelOption: ModelOption

    @Option(help: "Run folder.")
    var output: String

    @Flag(help: "Continue from the run folder's checkpoint.")
    var resume = false

    /// Copies the shared settings into an application's configuration; the prior's guidance
    /// defaults to the model's recommendation for `command` (latent_prior.json), else `defaultGuidance`.
    func apply<Configuration: RunConfiguration>(to configuration: inout Configuration, prior: PriorOptions, command: String,
                                                defaultGuidance: Float = 100) {
        configuration.prompt = prompt
        configuration.negativePrompt = negativePrompt
        configuration.model = modelOption.path
        configuration.prior = prior.configuration(defaultGuidance: DefaultModel.recommendedGuidance(
            command: command, model: configuration.model, otherwise: defaultGuidance), defaults: configuration.prior)
    }

    func runFolder() throws -> RunFolder { try RunFolder(path: output) }

    func pipeline<Configuration: RunConfiguration>(for configuration: Configuration) throws -> StableDiffusion {
        try StableDiffusion.load(try ModelOption.open(configuration.model, predictionType: modelOption.predictionType))
    }
}

/// Runs an application's remaining steps under a progress bar; says where a resumed run starts.
func runWithProgress<Step: RunStep>(label: String, completed: Int, total: Int, _ body: ((Step) -> Void) throws -> Void) throws {
    if completed > 0 { print("resuming at step \(completed) of \(total)") }
    let progress = ProgressBar(total: total, label: label)
    try body { step in progress.update(step: step.step, values: step.progressValues) }
}
