import MLXCore
import XCTest

/// The Winograd F(4×4, 3×3) path of `sameConv2d` (CMLX winograd_conv.cpp): values against a direct
/// loop in Float64, gradients against MLX's own convolution, and independence from the batch.
final class WinogradConvolutionTests: XCTestCase {
    /// Σ_{i,j,c} x[n, y+i−1, x+j−1, c] · w[o, i, j, c] + b[o] in Float64, zero outside the image.
    private func directConvolution3x3(_ x: [Float], _ w: [Float], _ b: [Float]?, shape: [Int], outputChannels o: Int) -> [Double] {
        let (n, h, width, c) = (shape[0], shape[1], shape[2], shape[3])
        var out = [Double](repeating: 0, count: n * h * width * o)
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                for image in 0..<n {
                    for row in 0..<h {
                        for column in 0..<width {
                            for channel in 0..<o {
                                var total = Double(b?[channel] ?? 0)
                                for i in 0..<3 {
                                    for j in 0..<3 {
                                        let y = row + i - 1, xx = column + j - 1
                                        guard (0..<h).contains(y), (0..<width).contains(xx) else { continue }
                                        let pixel = ((image * h + y) * width + xx) * c, tap = ((channel * 3 + i) * 3 + j) * c
                                        for input in 0..<c { total += Double(x[pixel + input]) * Double(w[tap + input]) }
                                    }
                                }
                                out[((image * h + row) * width + column) * o + channel] = total
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    private func assertTakesWinograd(_ shape: [Int], outputChannels: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(sameConv2dUsesWinograd(batch: shape[0], height: shape[1], width: shape[2], inputChannels: shape[3],
                                             outputChannels: outputChannels, kernel: 3),
                      "\(shape) → \(outputChannels) channels should take the Winograd path", file: file, line: line)
    }

    func testSizeRule() {
        // winograd_conv.hpp: at least 16 output tiles of 4×4 per image and 64 channels on one side;
        // the batch size plays no part (a picture gets the same bits at every batch size).
        XCTAssertTrue(sameConv2dUsesWinograd(batch: 2, height: 64, width: 64, inputChannels: 320, outputChannels: 320, kernel: 3))
        XCTAssertTrue(sameConv2dUsesWinograd(batch: 1, height: 512, width: 512, inputChannels: 128, outputChannels: 3, kernel: 3))
        XCTAssertFalse(sameConv2dUsesWinograd(batch: 2, height: 8, width: 8, inputChannels: 1280, outputChannels: 1280, kernel: 3))
        XCTAssertFalse(sameConv2dUsesWinograd(batch: 1, height: 64, width: 64, inputChannels: 32, outputChannels: 32, kernel: 3))
        XCTAssertFalse(sameConv2dUsesWinograd(batch: 2, height: 64, width: 64, inputChannels: 320, outputChannels: 320, kernel: 1))
        XCTAssertEqual(sameConv2dUsesWinograd(batch: 1, height: 13, width: 16, inputChannels: 64, outputChannels: 64, kernel: 3),
                       sameConv2dUsesWinograd(batch: 8, height: 13, width: 16, inputChannels: 64, outputChannels: 64, kernel: 3))
    }

    func testMatchesDirectConvolution() throws {
        // H and W not multiples of 4 (cropped border tiles), the fewest tiles the rule allows (16),
        // channel counts that leave partial blocks of 16 in the transforms; with and without bias;
        // and 272 tiles per image, whose 36 products run side by side on the cores.
        let cases = [([2, 18, 13, 8], 64, true), ([2, 18, 13, 70], 5, false), ([1, 13, 15, 64], 21, true), ([2, 68, 64, 3], 64, true)]
        for (index, (shape, o, withBias)) in cases.enumerated() {
            assertTakesWinograd(shape, outputChannels: o)
            let keys = try Random.split(try Random.key(UInt64(index)), count: 3)
            let x = try Random.normal(shape, key: keys[0])
            let w = try Random.normal([o, 3, 3, shape[3]], key: keys[1])
            let b = withBias ? try Random.normal([o], key: keys[2]) : nil
            let result = try sameConv2d(x, w, bias: b)
            XCTAssertEqual(result.shape, [shape[0], shape[1], shape[2], o])
            let expected = directConvolution3x3(try x.toArray(Float.self), try w.toArray(Float.self), try b?.toArray(Float.self),
                                                shape: shape, outputChannels: o)
            let scale = expected.map(abs).max()!
            let error = zip(try result.toArray(Float.self), expected).map { abs(Double($0) - $1) }.max()! / scale
            // The transforms' entries (up to 5 in Bᵀ, 8 in Aᵀ) amplify float32 rounding: ~4e-6 of
            // max|ref| at these sizes, ~1e-5 at 320–640 channels; shifted sgemm gives ~2e-7.
            XCTAssertLessThan(error, 2e-5, "\(shape) → \(o)")
        }
    }

    func testGradientsMatchMLXConvolution() throws {
        // The input gradient is the same convolution with the flipped kernel, so it runs Winograd too.
        let shape = [2, 18, 13, 64], o = 20
        assertTakesWinograd(shape, outputChannels: o)
        assertTakesWinograd([2, 18, 13, o], outputChannels: shape[3])
        let keys = try Random.split(try Random.key(21), count: 4)
        let x = try Random.normal(shape, key: keys[0])
        let w = try Random.normal([o, 3, 3, shape[3]], key: keys[1])
        let b = try Random.normal([o], key: keys[2])
        let weights = try Random.normal([2, 18, 13, o], key: keys[3])
        let (ours, reference) = try sameConvolutionGradients(x: x, w: w, b: b, weights: weights)
        for (name, (a, r)) in zip(["input", "weight", "bias"], zip(ours, reference)) {
            XCTAssertEqual(a.shape, r.shape, name)
            let scale = try abs(r).max().item(Float.self)
            XCTAssertLessThan(try abs(a - r).max().item(Float.self) / scale, 2e-5, name)  // float32 Winograd, as above
        }
    }

    /// A picture's output does not depend on the rest of its batch: one sgemm per image, never rows
    /// of two images in one product (results reproducible across batch sizes).
    func testEqualImagesInABatchGiveIdenticalOutputs() throws {
        let keys = try Random.split(try Random.key(23), count: 3)
        let x = try Random.normal([1, 17, 22, 32], key: keys[0])
        let other = try Random.normal([1, 17, 22, 32], key: keys[2])
        let w = try Random.normal([64, 3, 3, 32], key: keys[1])
        assertTakesWinograd([1, 17, 22, 32], outputChannels: 64)
        let batch = try sameConv2d(concatenated([x, other, x]), w).split(parts: 3, axis: 0)
        let single = try sameConv2d(x, w).toArray(Float.self)
        XCTAssertEqual(try batch[0].toArray(Float.self), single)
        XCTAssertEqual(try batch[2].toArray(Float.self), single)
    }
}
