import ArgumentParser
import Diffusion
import Foundation
import ImageIO
import ToyWorld

struct EvaluateToy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-toy",
        abstract: "Sample every colour × shape prompt from a toy model and judge colour and shape; writes a grid.")

    @OptionGroup var modelOption: ModelOption

    @Option(help: "Where to write grid.png (rows: colours, columns: shapes).")
    var output: String

    @Option(help: "Denoising steps.")
    var steps = 25

    @Option(help: "Classifier-free guidance scale.")
    var guidanceScale: Float = 7.5

    @Option(help: "First seed (prompt i uses seed + i).")
    var seed: UInt64 = 1

    func run() throws {
        let pipeline = try StableDiffusion.load(try modelOption.open())
        var evaluation = ToyModelEvaluation()
        evaluation.steps = steps
        evaluation.guidanceScale = guidanceScale
        evaluation.seed = seed
        let bar = ProgressBar(total: ToyColour.allCases.count * ToyShape.allCases.count, label: "evaluate")
        let result = try evaluation.run(pipeline) { done, _ in bar.update(step: done) }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try PNG.write(result.grid, to: "\(output)/grid.png")
        for (prompt, verdict) in zip(result.prompts, result.verdicts) {
            print("\(prompt)\t→ \(verdict.colour?.rawValue ?? "-") \(verdict.shape?.rawValue ?? "-")"
                  + String(format: "\t(colour share %.2f, IoU %.2f)", verdict.colourShare, verdict.bestIoU))
        }
        print(String(format: "colour correct: %.0f%%   shape recognised: %.0f%%   grid: %@/grid.png",
                     result.colourRate * 100, result.shapeRate * 100, output))
    }
}
