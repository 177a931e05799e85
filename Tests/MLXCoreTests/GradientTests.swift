import MLXCore
import XCTest

/// grad / valueAndGrad / vjp / jvp against central finite differences. float32 with step 1e-3:
/// truncation O(h²) ≈ 1e-6 and rounding ≈ ε·|f|/h ≈ 1e-4·|f|, hence the stated tolerances.
final class GradientTests: XCTestCase {
    private func finiteDifference(_ f: ([Float]) throws -> Float, at x: [Float], index: Int, step: Float = 1e-3) rethrows -> Float {
        var plus = x, minus = x
        plus[index] += step
        minus[index] -= step
        return (try f(plus) - f(minus)) / (2 * step)
    }

    /// conv2d → GroupNorm (written from ops) → SiLU → sum of squares: the shape of a UNet resnet's first half.
    private static func resnetLikeLoss(_ x: MLXArray, _ w: MLXArray) throws -> MLXArray {
        let h = try conv2d(x, w, padding: 1)  // [1, 4, 4, 4]
        let grouped = try h.reshaped(1, 16, 2, 2)
        let normalized = try ((grouped - grouped.mean(axes: [1, 3], keepDims: true))
            * rsqrt(grouped.variance(axes: [1, 3], keepDims: true) + 1e-5)).reshaped(1, 4, 4, 4)
        return try square(silu(normalized)).sum()
    }

    func testConvGroupNormCompositeMatchesFiniteDifferences() throws {
        let keys = try Random.split(try Random.key(3))
        let xValues = try Random.normal([1, 4, 4, 3], key: keys[0]).toArray(Float.self)
        let wValues = try Random.normal([4, 3, 3, 3], std: 0.5, key: keys[1]).toArray(Float.self)
        let gradients = try grad({ [try GradientTests.resnetLikeLoss($0[0], $0[1])] }, argnums: [0, 1])(
            [try MLXArray(xValues, shape: [1, 4, 4, 3]), try MLXArray(wValues, shape: [4, 3, 3, 3])])
        let (gx, gw) = (try gradients[0].toArray(Float.self), try gradients[1].toArray(Float.self))
        func lossOfX(_ v: [Float]) throws -> Float {
            try GradientTests.resnetLikeLoss(MLXArray(v, shape: [1, 4, 4, 3]), MLXArray(wValues, shape: [4, 3, 3, 3])).item(Float.self)
        }
        func lossOfW(_ v: [Float]) throws -> Float {
            try GradientTests.resnetLikeLoss(MLXArray(xValues, shape: [1, 4, 4, 3]), MLXArray(v, shape: [4, 3, 3, 3])).item(Float.self)
        }
        for index in [0, 11, 25, 47] {
            XCTAssertEqual(gx[index], try finiteDifference(lossOfX, at: xValues, index: index), accuracy: 2e-2 + 2e-2 * abs(gx[index]), "x[\(index)]")
        }
        for index in [0, 17, 60, 107] {
            XCTAssertEqual(gw[index], try finiteDifference(lossOfW, at: wValues, index: index), accuracy: 2e-2 + 2e-2 * abs(gw[index]), "w[\(index)]")
        }
    }

    func testValueAndGradOfClosedForm() throws {
        // f(x) = Σ sin(x)·x², f' = cos(x)·x² + 2x·sin(x).
        let values: [Float] = [0.3, -1.2, 2.0]
        let (outputs, grads) = try valueAndGrad({ [try (sin($0[0]) * square($0[0])).sum()] })([try MLXArray(values)])
        let expectedValue = values.reduce(0) { $0 + Foundation.sin($1) * $1 * $1 }
        XCTAssertEqual(try outputs[0].item(Float.self), expectedValue, accuracy: 1e-5)
        let gradient = try grads[0].toArray(Float.self)
        for (i, x) in values.enumerated() {
            XCTAssertEqual(gradient[i], Foundation.cos(x) * x * x + 2 * x * Foundation.sin(x), accuracy: 1e-5)
        }
    }

    func testVJPAndJVPOfMatrixProduct() throws {
        // f(A) = A·B: vjp with cotangent C is C·Bᵀ; jvp with tangent T is T·B.
        let b = try MLXArray([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let a = try MLXArray([1, -1, 0.5, 2] as [Float], shape: [2, 2])
        let c = try MLXArray([1, 0, 2, -1, 1, 0] as [Float], shape: [2, 3])
        let f: ArrayFunction = { [try matmul($0[0], b)] }
        let pulled = try vjp(f, primals: [a], cotangents: [c]).vjps[0]
        XCTAssertEqual(try pulled.toArray(Float.self), try matmul(c, b.transposed()).toArray(Float.self))
        let pushed = try jvp(f, primals: [a], tangents: [c.sliced(axis: 1, 0..<2)]).jvps[0]
        XCTAssertEqual(try pushed.toArray(Float.self), try matmul(c.sliced(axis: 1, 0..<2), b).toArray(Float.self))
    }

    func testStopGradientBlocksTheGradient() throws {
        let g = try grad({ x in try (x * stopGradient(x)).sum() })(try MLXArray([3] as [Float]))
        XCTAssertEqual(try g.item(Float.self), 3)  // d/dx (x · sg(x)) = sg(x)
    }

    func testCompileMatchesEagerAndRetracesNewShapes() throws {
        let f: ArrayFunction = { [try tanh($0[0]) * 2 + exp($0[0] * 0.5)] }
        let compiled = try compile(f)
        for shape in [[3], [3], [2, 2]] {
            let x = try Random.normal(shape, key: Random.key(UInt64(shape.count)))
            let difference = try abs(compiled([x])[0] - f([x])[0]).max().item(Float.self)
            XCTAssertLessThan(difference, 1e-6)
        }
    }

    func testCheckpointGivesTheSameGradients() throws {
        let inner: ArrayFunction = { [try sin($0[0]) * $0[0]] }
        let checkpointed = try checkpoint(inner)
        let x = try MLXArray([0.5, 1.5] as [Float])
        let direct = try grad({ [try inner($0)[0].sum()] })([x])[0]
        let recomputed = try grad({ [try checkpointed($0)[0].sum()] })([x])[0]
        XCTAssertEqual(try direct.toArray(Float.self), try recomputed.toArray(Float.self))
    }

    private struct Marker: Error, Equatable { let value: Int }

    func testSwiftErrorsInsideTransformsAreRethrownWithTheirType() throws {
        let failing: ArrayFunction = { _ in throw Marker(value: 42) }
        let x = try MLXArray([1] as [Float])
        XCTAssertThrowsError(try grad(failing)([x])) { XCTAssertEqual($0 as? Marker, Marker(value: 42)) }
        XCTAssertThrowsError(try vjp(failing, primals: [x], cotangents: [x])) { XCTAssertEqual($0 as? Marker, Marker(value: 42)) }
        XCTAssertThrowsError(try compile(failing)([x])) { XCTAssertEqual($0 as? Marker, Marker(value: 42)) }
        // An MLX error inside the function (a shape mismatch) comes back as MLXError, process intact.
        XCTAssertThrowsError(try grad({ [try ($0[0] + MLXArray([1, 2] as [Float])).sum()] })([try MLXArray([1, 2, 3] as [Float])])) {
            XCTAssertTrue($0 is MLXError, "\($0)")
        }
        XCTAssertEqual(try (x + x).item(Float.self), 2)
    }
}
