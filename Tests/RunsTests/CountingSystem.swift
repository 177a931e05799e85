import Foundation
import MLXCore
import NN
import Prior
@testable import Runs

/// A run configuration with nothing but the shared settings and one of its own.
struct QuadraticConfiguration: RunConfiguration {
    var prompt = "a point"
    var negativePrompt = ""
    var model = "none"
    var prior = PriorConfiguration()
    var iterations = 6
    var seed: UInt64 = 3
    var saveEvery = 2
    var learningRate: Float = 0.1
    /// The step whose loss is made NaN (to test the guard).
    var poisonedStep: Int?

    var resumableSettingsCleared: QuadraticConfiguration {
        var c = self
        c.iterations = 0
        c.poisonedStep = nil
        return c
    }
}

struct QuadraticStep: RunStep {
    let step: Int
    let loss: Float
    var logFields: [String] { ["\(step)", "\(loss)"] }
    var progressValues: KeyValuePairs<String, Float> { ["loss": loss] }
}

final class Point: Module {
    let theta: Parameter
    init(_ value: MLXArray) { theta = Parameter(value) }
}

/// Minimises ‖θ − ε_step‖² with Adam, ε_step drawn from the step's key: the smallest system that
/// uses the run layer's randomness, optimiser state and checkpoints the way applications do.
final class QuadraticSystem: OptimizedSystem {
    let configuration: QuadraticConfiguration
    let point: Point
    let adam: Adam
    let run: OptimizationRun<QuadraticConfiguration>
    var snapshots: [Int] = []
    var finished = false
    /// The step during which the process sends itself this signal (as a user's Ctrl-C would arrive).
    var signalDuringStep: (step: Int, signal: Int32)?

    init(_ configuration: QuadraticConfiguration, folder: RunFolder, resume: Bool) throws {
        self.configuration = configuration
        point = Point(try zeros([4]))
        adam = Adam(learningRate: configuration.learningRate)
        run = try OptimizationRun(configuration: configuration, folder: folder, command: "quadratic", logColumns: ["step", "loss"], resume: resume)
        try run.restore(self)
    }

    func step(_ context: StepContext) throws -> QuadraticStep {
        if let (step, signal) = signalDuringStep, step == context.step { raise(signal) }
        let target = try Random.normal([4], key: context.key())
        let point = self.point
        let (loss, gradients) = try point.valueAndGradients { try square(point.theta.value - target).sum() }
        var value = try loss.item(Float.self)
        if context.step == configuration.poisonedStep { value = .nan }
        try context.requireFinite([("the quadratic loss", value)])
        try adam.update(point, gradients: gradients)
        return QuadraticStep(step: context.step, loss: value)
    }

    func checkpointGroups() throws -> [String: [String: MLXArray]] {
        ["adam": try adam.state(), "point": ["theta": point.theta.value]]
    }

    func restore(_ groups: [String: [String: MLXArray]], from path: String) throws {
        guard let theta = groups["point"]?["theta"] else { throw RunError.incompatibleCheckpoint(path: path, reason: "no theta") }
        point.theta.value = theta
        try adam.restore(groups["adam"] ?? [:])
    }

    func willCheckpoint(step: Int, in folder: RunFolder) throws { snapshots.append(step) }
    func didFinish(in folder: RunFolder) throws { finished = true }
}
