import MLXCore
import XCTest

/// CMLX's stride-1 "same" convolution (shifted sgemm calls) against a direct loop on the host in
/// Float64, and its gradients against those of MLX's own convolution.
final class SameConvolutionTests: XCTestCase {
    /// Σ_{i,j,c} x[n, y+i−p, x+j−p, c] · w[o, i, j, c] + b[o], zero outside the image.
    private func directConvolution(_ x: [Float], _ w: [Float], _ b: [Float]?, n: Int, h: Int, width: Int, c: Int, o: Int, k: Int) -> [Double] {
        let p = (k - 1) / 2
        var out = [Double](repeating: 0, count: n * h * width * o)
        for image in 0..<n {
            for row in 0..<h {
                for column in 0..<width {
                    for channel in 0..<o {
                        var total = Double(b?[channel] ?? 0)
                        for i in 0..<k {
                            for j in 0..<k {
                                let y = row + i - p, xx = column + j - p
                                guard (0..<h).contains(y), (0..<width).contains(xx) else { continue }
                                for input in 0..<c {
                                    total += Double(x[((image * h + y) * width + xx) * c + input]) * Double(w[((channel * k + i) * k + j) * c + input])
                                }
                            }
                        }
                        out[((image * h + row) * width + column) * o + channel] = total
                    }
                }
            }
        }
        return out
    }

    func testMatchesDirectConvolution() throws {
        // Non-square images, a batch, kernels 1, 3 and 5, with and without bias.
        for (k, withBias) in [(1, true), (3, true), (3, false), (5, true)] {
            let (n, h, width, c, o) = (2, 5, 7, 3, 4)
            let keys = try Random.split(try Random.key(UInt64(k)), count: 3)
            let x = try Random.normal([n, h, width, c], key: keys[0])
            let w = try Random.normal([o, k, k, c], key: keys[1])
            let b = withBias ? try Random.normal([o], key: keys[2]) : nil
            let result = try sameConv2d(x, w, bias: b)
            XCTAssertEqual(result.shape, [n, h, width, o])
            let expected = directConvolution(try x.toArray(Float.self), try w.toArray(Float.self), try b?.toArray(Float.self),
                                             n: n, h: h, width: width, c: c, o: o, k: k)
            for (value, reference) in zip(try result.toArray(Float.self), expected) {
                XCTAssertEqual(Double(value), reference, accuracy: 1e-5 * (1 + abs(reference)), "k = \(k)")
            }
        }
    }

    func testGradientsMatchMLXConvolution() throws {
        let keys = try Random.split(try Random.key(9), count: 4)
        let x = try Random.normal([2, 6, 5, 3], key: keys[0])
        let w = try Random.normal([4, 3, 3, 3], key: keys[1])
        let b = try Random.normal([4], key: keys[2])
        let weights = try Random.normal([2, 6, 5, 4], key: keys[3])
        let (ours, reference) = try sameConvolutionGradients(x: x, w: w, b: b, weights: weights)
        for (name, (a, r)) in zip(["input", "weight", "bias"], zip(ours, reference)) {
            XCTAssertEqual(a.shape, r.shape, name)
            XCTAssertLessThan(try abs(a - r).max().item(Float.self), 1e-4, name)
        }
    }

    func testRejectsAnEvenKernelAndAChannelMismatch() throws {
        let x = try zeros([1, 4, 4, 3])
        XCTAssertThrowsError(try sameConv2d(x, try zeros([2, 2, 2, 3]))) { error in
            XCTAssertTrue("\(error)".contains("odd square kernel"), "\(error)")
        }
        XCTAssertThrowsError(try sameConv2d(x, try zeros([2, 3, 3, 5]))) { error in
            XCTAssertTrue("\(error)".contains("channels"), "\(error)")
        }
    }
}

extension SameConvolutionTests {
    /// A picture's output does not depend on the rest of its batch (results reproducible across
    /// batch sizes).
    func testEqualImagesInABatchGiveIdenticalOutputs() throws {
        let keys = try Random.split(try Random.key(11), count: 2)
        let x = try Random.normal([1, 16, 16, 32], key: keys[0])
        let w = try Random.normal([32, 3, 3, 32], key: keys[1])
        let both = try sameConv2d(concatenated([x, x]), w)
        let halves = try both.split(parts: 2, axis: 0)
        XCTAssertEqual(try halves[0].toArray(Float.self), try halves[1].toArray(Float.self))
        XCTAssertEqual(try halves[0].toArray(Float.self), try sameConv2d(x, w).toArray(Float.self))
    }
}

/// Gradients (input, weight, bias) of Σ weights ⊙ (x ⋆ w + b), by CMLX's same convolution and by
/// MLX's own conv2d (padding (k − 1) / 2 for 3×3 kernels).
func sameConvolutionGradients(x: MLXArray, w: MLXArray, b: MLXArray, weights: MLXArray) throws -> (ours: [MLXArray], reference: [MLXArray]) {
    let ours = try valueAndGrad({ inputs in [try (sameConv2d(inputs[0], inputs[1], bias: inputs[2]) * weights).sum()] },
                                argnums: [0, 1, 2])([x, w, b]).1
    let reference = try valueAndGrad({ inputs in [try ((conv2d(inputs[0], inputs[1], padding: 1) + inputs[2]) * weights).sum()] },
                                     argnums: [0, 1, 2])([x, w, b]).1
    return (ours, reference)
}
