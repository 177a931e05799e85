import Foundation
import MLXCore
import XCTest
@testable import NN

private final class WeightAndBias: Module {
    let weight: Parameter
    let bias: Parameter
    init(weight: [Float], bias: [Float]) throws {
        self.weight = Parameter(try MLXArray(weight, shape: [3, 2]))
        self.bias = Parameter(try MLXArray(bias))
    }
}

/// MADGRAD replays the gradients of the reference package's own trajectories
/// (scripts/make_optimizer_reference.py, facebookresearch/madgrad 1.3) and must land on its values.
final class MADGRADTests: XCTestCase {
    private struct Reference: Decodable {
        struct Case: Decodable {
            struct Step: Decodable {
                let gradients: [String: [Float]]
                let values: [String: [Float]]
            }
            let momentum: Float
            let weight_decay: Float
            let lr: Float
            let initial: [String: [Float]]
            let steps: [Step]
        }
        let cases: [Case]
    }

    func testMatchesTheReferencePackage() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/madgrad_reference", withExtension: "json"))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        XCTAssertEqual(reference.cases.count, 3)
        for (index, c) in reference.cases.enumerated() {
            let model = try WeightAndBias(weight: c.initial["weight"]!, bias: c.initial["bias"]!)
            let optimizer = MADGRAD(learningRate: c.lr, momentum: c.momentum, weightDecay: c.weight_decay)
            for (stepIndex, step) in c.steps.enumerated() {
                try optimizer.update(model, gradients: ["weight": try MLXArray(step.gradients["weight"]!, shape: [3, 2]),
                                                        "bias": try MLXArray(step.gradients["bias"]!)])
                // float32 against float32: the cube root and the running sums round alike to a few ulps.
                for (key, parameter) in [("weight", model.weight), ("bias", model.bias)] {
                    for (ours, theirs) in zip(try parameter.value.toArray(Float.self), step.values[key]!) {
                        XCTAssertEqual(ours, theirs, accuracy: 1e-5 * max(1, abs(theirs)), "case \(index) step \(stepIndex) \(key)")
                    }
                }
            }
        }
    }

    /// A restored state continues exactly as the uninterrupted optimiser.
    func testStateRoundTripContinuesExactly() throws {
        let gradients = [try MLXArray([0.3, -1.2, 0.5, 2, -0.1, 0.7] as [Float], shape: [3, 2]), try MLXArray([1, -1, 0.5, 0] as [Float])]
        let straight = try WeightAndBias(weight: [1, 2, 3, 4, 5, 6], bias: [0, 1, 2, 3])
        let a = MADGRAD(learningRate: 0.01)
        for _ in 0..<3 { try a.update(straight, gradients: ["weight": gradients[0], "bias": gradients[1]]) }

        let interrupted = try WeightAndBias(weight: [1, 2, 3, 4, 5, 6], bias: [0, 1, 2, 3])
        let b = MADGRAD(learningRate: 0.01)
        try b.update(interrupted, gradients: ["weight": gradients[0], "bias": gradients[1]])
        let c = MADGRAD(learningRate: 0.01)
        try c.restore(try b.state())
        for _ in 0..<2 { try c.update(interrupted, gradients: ["weight": gradients[0], "bias": gradients[1]]) }
        XCTAssertEqual(try straight.weight.value.toArray(Float.self), try interrupted.weight.value.toArray(Float.self))
        XCTAssertEqual(try straight.bias.value.toArray(Float.self), try interrupted.bias.value.toArray(Float.self))
    }
}
