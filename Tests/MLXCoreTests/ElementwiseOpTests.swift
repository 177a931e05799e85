import MLXCore
import XCTest

/// Elementwise ops against numpy (float32 data; numpy computes in float64). Tolerance 1e-5
/// relative: float32 rounding of the transcendental functions.
final class ElementwiseOpTests: XCTestCase {
    func testUnaryOps() throws {
        let ops: [(String, (MLXArray) throws -> MLXArray)] = [
            ("exp", exp), ("log", log), ("sqrt", sqrt), ("rsqrt", rsqrt), ("tanh", tanh), ("sigmoid", sigmoid),
            ("erf", erf), ("sin", sin), ("cos", cos), ("abs", abs), ("floor", floor), ("square", square),
            ("log1p", log1p), ("expm1", expm1),
        ]
        for (name, op) in ops {
            let c = try OpCase.named("unary_\(name)")
            try c.check(op(c.inputs["a"]!), name)
        }
    }

    func testBinaryOpsBroadcast() throws {
        let ops: [(String, (MLXArray, MLXArray) throws -> MLXArray)] = [
            ("add", { try $0 + $1 }), ("subtract", { try $0 - $1 }), ("multiply", { try $0 * $1 }),
            ("divide", { try $0 / $1 }), ("maximum", maximum), ("minimum", minimum), ("power", { try $0.power($1) }),
        ]
        for (name, op) in ops {
            let c = try OpCase.named("binary_\(name)")
            try c.check(op(c.inputs["a"]!, c.inputs["b"]!), name)
        }
    }

    func testScalarOperandsKeepHalfPrecision() throws {
        let half = try MLXArray([1, 2, 3] as [Float]).asType(.float16)
        XCTAssertEqual(try (half * 0.5).dtype, .float16)
        XCTAssertEqual(try (2 - half).toArray(Float.self), [1, 0, -1])
    }

    func testComparisonsAndSelection() throws {
        let a = try MLXArray([1, 5, 3] as [Float]), b = try MLXArray([2, 2, 3] as [Float])
        XCTAssertEqual(try (a .> b).toArray(Bool.self), [false, true, false])
        XCTAssertEqual(try (a .== b).toArray(Bool.self), [false, false, true])
        XCTAssertEqual(try which(a .< b, a, b).toArray(Float.self), [1, 2, 3])
        XCTAssertEqual(try clip(a, min: 2, max: 4).toArray(Float.self), [2, 4, 3])
    }

    func testActivationsClosedForm() throws {
        let x = try MLXArray([-2, -0.5, 0, 0.5, 2] as [Float])
        let values: [Float] = [-2, -0.5, 0, 0.5, 2]
        let silu = try MLXCore.silu(x).toArray(Float.self)
        let gelu = try MLXCore.gelu(x).toArray(Float.self)
        let quick = try quickGelu(x).toArray(Float.self)
        for (i, v) in values.enumerated() {
            XCTAssertEqual(silu[i], v / (1 + Foundation.exp(-v)), accuracy: 1e-6)
            XCTAssertEqual(gelu[i], v * 0.5 * (1 + Float(Foundation.erf(Double(v) / 2.0.squareRoot()))), accuracy: 1e-6)
            XCTAssertEqual(quick[i], v / (1 + Foundation.exp(-1.702 * v)), accuracy: 1e-6)
        }
    }
}
