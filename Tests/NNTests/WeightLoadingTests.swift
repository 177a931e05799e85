import Foundation
import MLXCore
import XCTest
@testable import NN

/// Loading weights in PyTorch layout: conversion, and errors naming the key, shapes and source.
final class WeightLoadingTests: XCTestCase {
    func testConvolutionWeightsConvertFromPyTorchLayout() throws {
        let conv = try Conv2d(2, 3, kernelSize: 3)
        // PyTorch [O=3, I=2, 3, 3] with value = linear index: element (o, i, y, x).
        let torchWeight = try arange(0, 54).reshaped(3, 2, 3, 3)
        try conv.load(weights: ["weight": torchWeight, "bias": try zeros([3])], source: "test")
        let inMemory = try conv.weight.value.toArray(Float.self)  // [O, kH, kW, I]
        // Element (o=1, y=2, x=0, i=1) ← torch index ((1·2 + 1)·3 + 2)·3 + 0 = 33.
        XCTAssertEqual(inMemory[((1 * 3 + 2) * 3 + 0) * 2 + 1], 33)
        // And back to the file layout unchanged.
        XCTAssertEqual(try conv.weightsInFileLayout()["weight"]!.toArray(Float.self), try torchWeight.toArray(Float.self))
    }

    func testLoadedConvolutionWeightsLieRowMajor() throws {
        // The PyTorch → channels-last conversion is a transpose, a strided view; kept as such, every
        // convolution call would copy the weight into row-major memory again.
        let conv = try Conv2d(4, 5, kernelSize: 3)
        let torchWeight = try arange(0, 180).reshaped(5, 4, 3, 3)
        XCTAssertFalse(try torchWeight.transposed(0, 2, 3, 1).isRowContiguous(), "the conversion alone is a strided view")
        try conv.load(weights: ["weight": torchWeight, "bias": try zeros([5])], source: "test")
        XCTAssertTrue(try conv.weight.value.isRowContiguous())
    }

    func testMissingWeightIsNamed() throws {
        let linear = try Linear(2, 3)
        XCTAssertThrowsError(try linear.load(weights: ["weight": try zeros([3, 2])], source: "unet.safetensors")) { error in
            XCTAssertEqual(error as? WeightLoadingError, .missing(keys: ["bias"], source: "unet.safetensors"))
            XCTAssertTrue("\(error)".contains("'bias'"))
        }
    }

    func testWrongShapeNamesKeyAndBothShapes() throws {
        let linear = try Linear(2, 3)
        XCTAssertThrowsError(try linear.load(weights: ["weight": try zeros([2, 3]), "bias": try zeros([3])], source: "f")) { error in
            XCTAssertEqual(error as? WeightLoadingError, .shapeMismatch(key: "weight", expected: [3, 2], found: [2, 3], source: "f"))
        }
    }

    func testUnexpectedKeyIsAnErrorWhenStrict() throws {
        let linear = try Linear(2, 3, bias: false)
        let weights = ["weight": try zeros([3, 2]), "extra.weight": try zeros([1])]
        XCTAssertThrowsError(try linear.load(weights: weights, source: "f")) { error in
            XCTAssertEqual(error as? WeightLoadingError, .unexpected(keys: ["extra.weight"], source: "f"))
        }
        XCTAssertNoThrow(try linear.load(weights: weights, source: "f", strict: false))
    }

    func testSafetensorsRoundTrip() throws {
        let original = try Conv2d(3, 4, kernelSize: 3, padding: 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try original.saveSafetensors(path)
        let copy = try Conv2d(3, 4, kernelSize: 3, padding: 1)
        try copy.loadSafetensors(path)
        XCTAssertEqual(try copy.weight.value.toArray(Float.self), try original.weight.value.toArray(Float.self))
        XCTAssertEqual(try SafetensorsFile.load(path).tensors["weight"]!.shape, [4, 3, 3, 3])
    }
}
