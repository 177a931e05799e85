import Diffusion
import MLXCore
import NN
import XCTest
@testable import LayeredEditing

final class LossTests: XCTestCase {
    func testSparsityMatchesItsClosedForm() throws {
        // Two α maps of different sizes count equally, as Text2LIVE's crop and full-picture outputs.
        let first: [Float] = [0, 0.5, 1, 0.2], second: [Float] = [0.9, 0.1]
        let sparsity = AlphaSparsity()
        let (loss, l0, l1) = try sparsity([try MLXArray(first, shape: [1, 2, 2, 1]), try MLXArray(second, shape: [1, 1, 2, 1])])
        func mean(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + Double($1) } / Double(v.count) }
        func pseudoL0(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + (1 / (1 + Foundation.exp(-5 * Double($1))) - 0.5) * 2 } / Double(v.count) }
        let expectedL1 = (mean(first) + mean(second)) / 2
        let expectedL0 = (pseudoL0(first) + pseudoL0(second)) / 2
        XCTAssertEqual(Double(try l1.item(Float.self)), expectedL1, accuracy: 1e-6)
        XCTAssertEqual(Double(try l0.item(Float.self)), expectedL0, accuracy: 1e-6)
        XCTAssertEqual(Double(try loss.item(Float.self)), 6 * (0.01 * expectedL0 + 0.01 * expectedL1), accuracy: 1e-7)
        XCTAssertThrowsError(try sparsity([]))
    }

    func testMaskBootstrapScheduleAndLoss() throws {
        let bootstrap = MaskBootstrap(steps: 1000)
        XCTAssertEqual(bootstrap.weight(atStep: 0), 10 * (1 - 1.0 / 1000), accuracy: 1e-5)
        XCTAssertEqual(bootstrap.weight(atStep: 499), 5, accuracy: 1e-5)
        XCTAssertEqual(bootstrap.weight(atStep: 999), 0)
        XCTAssertEqual(bootstrap.weight(atStep: 1000), 0)
        XCTAssertEqual(MaskBootstrap(minimumWeight: 2, steps: 10).weight(atStep: 9), 2)
        let alpha = try MLXArray([0, 0.5, 1, 1] as [Float], shape: [1, 2, 2, 1])
        let mask = try MLXArray([0, 1, 1, 0] as [Float], shape: [1, 2, 2, 1])
        XCTAssertEqual(try bootstrap.loss(alpha: alpha, mask: mask).item(Float.self), (0.25 + 1) / 4, accuracy: 1e-7)
        XCTAssertThrowsError(try bootstrap.loss(alpha: alpha, mask: try zeros([1, 2, 2, 3])))
    }
}
