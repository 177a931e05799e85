import MLXCore
import NN
import XCTest
@testable import LayeredEditing

final class PaddedConvolutionTests: XCTestCase {
    /// The fast path (interior of a same convolution, Winograd at this size) against the
    /// definition, MLX's valid convolution of the reflection-padded map, in value and gradients.
    func testInteriorOfSameConvolutionEqualsValidConvolutionOfThePaddedMap() throws {
        try InitializationKeys.seed(2)
        let layer = try ReflectionPaddedConvolution(64, 32, kernelSize: 3)
        let x = try Random.normal([2, 20, 18, 64], key: try Random.key(4))
        XCTAssertTrue(sameConv2dUsesWinograd(batch: 2, height: 22, width: 20, inputChannels: 64, outputChannels: 32, kernel: 3))
        let weight = layer.convolution.weight.value, bias = try XCTUnwrap(layer.convolution.bias).value
        func definition(_ input: MLXArray, _ w: MLXArray) throws -> MLXArray { try conv2d(input.reflectionPadded2d(1), w) + bias }
        let cotangent = try Random.normal([2, 20, 18, 32], key: try Random.key(5))
        // Winograd's transforms reorder float32 sums of 576 products: 1e-4 relative.
        XCTAssertLessThanOrEqual(try relativeError(try layer(x), try definition(x, weight)), 1e-4)
        let fast = try grad({ [try (layer.callWith(weight: $0[1], $0[0]) * cotangent).sum()] }, argnums: [0, 1])([x, weight])
        let slow = try grad({ [try (definition($0[0], $0[1]) * cotangent).sum()] }, argnums: [0, 1])([x, weight])
        XCTAssertLessThanOrEqual(try relativeError(fast[0], slow[0]), 1e-4)
        XCTAssertLessThanOrEqual(try relativeError(fast[1], slow[1]), 1e-4)
    }
}

private extension ReflectionPaddedConvolution {
    func callWith(weight: MLXArray, _ x: MLXArray) throws -> MLXArray {
        let saved = convolution.weight.value
        defer { convolution.weight.value = saved }
        convolution.weight.value = weight
        return try self(x)
    }
}
