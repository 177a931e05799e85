import MLXCore
import XCTest
@testable import NN

private final class Scalars: Module {
    let weight: Parameter
    init(_ values: [Float]) throws { weight = Parameter(try MLXArray(values)) }
}

/// Adam and module gradients against closed forms.
final class OptimizerTests: XCTestCase {
    func testModuleGradientsOfQuadratic() throws {
        let model = try Scalars([1, -2, 3])
        let (loss, gradients) = try model.valueAndGradients { try (model.weight.value * model.weight.value).sum() }
        XCTAssertEqual(try loss.item(Float.self), 14)
        XCTAssertEqual(try gradients["weight"]!.toArray(Float.self), [2, -4, 6])
        // The parameter holds its original value again after tracing.
        XCTAssertEqual(try model.weight.value.toArray(Float.self), [1, -2, 3])
    }

    func testAdamMatchesPyTorchUpdateRule() throws {
        let model = try Scalars([1, -2])
        let adam = Adam(learningRate: 0.1, betas: (0.9, 0.99), eps: 1e-8, weightDecay: 0.01, decoupledWeightDecay: true)
        var (m, v, p): ([Double], [Double], [Double]) = ([0, 0], [0, 0], [1, -2])
        for step in 1...3 {
            let gradient = p.map { 2 * $0 }  // d/dp p²
            try adam.update(model, gradients: ["weight": try MLXArray(gradient.map(Float.init))])
            for i in 0..<2 {
                p[i] *= 1 - 0.1 * 0.01
                m[i] = 0.9 * m[i] + 0.1 * gradient[i]
                v[i] = 0.99 * v[i] + 0.01 * gradient[i] * gradient[i]
                let mHat = m[i] / (1 - pow(0.9, Double(step)))
                let vHat = v[i] / (1 - pow(0.99, Double(step)))
                p[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        let result = try model.weight.value.toArray(Float.self)
        for i in 0..<2 { XCTAssertEqual(Double(result[i]), p[i], accuracy: 1e-5) }
    }

    func testAdamStateRestores() throws {
        let (a, b) = (try Scalars([1]), try Scalars([1]))
        let (first, second) = (Adam(learningRate: 0.1), Adam(learningRate: 0.1))
        try first.update(a, gradients: ["weight": try MLXArray([0.5] as [Float])])
        try second.restore(try first.state())
        try b.load(weights: ["weight": a.weight.value], source: "copy")
        try first.update(a, gradients: ["weight": try MLXArray([0.25] as [Float])])
        try second.update(b, gradients: ["weight": try MLXArray([0.25] as [Float])])
        XCTAssertEqual(try a.weight.value.toArray(Float.self), try b.weight.value.toArray(Float.self))
        XCTAssertEqual(second.step, 2)
    }
}

/// Auxiliary outputs come back with the loss and take no part in the gradient.
final class AuxiliaryGradientTests: XCTestCase {
    func testAuxiliariesAreReturnedWithoutGradient() throws {
        let model = try Scalars([1, -2, 3])
        let (values, gradients) = try model.valueAndGradients(withAuxiliary: {
            let w = model.weight.value
            return [try (w * w).sum(), try w * 10]
        })
        XCTAssertEqual(try values[0].item(Float.self), 14)
        XCTAssertEqual(try values[1].toArray(Float.self), [10, -20, 30])
        XCTAssertEqual(try gradients["weight"]!.toArray(Float.self), [2, -4, 6], "the auxiliary adds nothing (∂(10w) would)")
    }
}
