import MLXCore
import XCTest

/// The stride-2 valid convolution read off a same convolution, against MLX's own strided
/// convolution: values and all three gradients, odd and even sides, kernels 1, 3 and 5.
final class ValidStride2ConvolutionTests: XCTestCase {
    func testMatchesMLXStridedConvolutionAndItsGradients() throws {
        for (k, h, w) in [(1, 7, 6), (3, 7, 6), (3, 8, 9), (5, 11, 10)] {
            let keys = try Random.split(try Random.key(UInt64(k * 100 + h)), count: 4)
            let x = try Random.normal([2, h, w, 3], key: keys[0])
            let weight = try Random.normal([4, k, k, 3], key: keys[1])
            let bias = try Random.normal([4], key: keys[2])
            let reference = try conv2d(x, weight, stride: 2) + bias
            let ours = try validStride2Conv2d(x, weight, bias: bias)
            XCTAssertEqual(ours.shape, reference.shape, "k \(k), \(h)×\(w)")
            XCTAssertLessThan(try abs(ours - reference).max().item(Float.self), 1e-4, "k \(k), \(h)×\(w)")

            let cotangent = try Random.normal(reference.shape, key: keys[3])
            let ourGradients = try valueAndGrad({ [try (validStride2Conv2d($0[0], $0[1], bias: $0[2]) * cotangent).sum()] }, argnums: [0, 1, 2])([x, weight, bias]).1
            let referenceGradients = try valueAndGrad({ [try ((conv2d($0[0], $0[1], stride: 2) + $0[2]) * cotangent).sum()] }, argnums: [0, 1, 2])([x, weight, bias]).1
            for (name, (a, r)) in zip(["input", "weight", "bias"], zip(ourGradients, referenceGradients)) {
                XCTAssertEqual(a.shape, r.shape, name)
                XCTAssertLessThan(try abs(a - r).max().item(Float.self), 1e-3, "\(name), k \(k), \(h)×\(w)")
            }
        }
    }

    func testRejectsAnEvenKernelAndATooSmallInput() throws {
        XCTAssertThrowsError(try validStride2Conv2d(try zeros([1, 4, 4, 3]), try zeros([2, 2, 2, 3])))
        XCTAssertThrowsError(try validStride2Conv2d(try zeros([1, 2, 4, 3]), try zeros([2, 3, 3, 3]))) { error in
            XCTAssertTrue("\(error)".contains("H and W ≥ k"), "\(error)")
        }
    }
}
