import MLXCore
import Prior
import XCTest
@testable import LayeredEditing

/// Compositing formulas (Text2LIVE's models/image_model.py `render`) against hand computations.
final class CompositingTests: XCTestCase {
    func testCompositeAndGreenScreenFromRGBA() throws {
        // Two pixels: RGBA (0.2, 0.4, 0.6, α = 0.25) and (1, 0, 0.5, α = 1).
        let rgba = try MLXArray([0.2, 0.4, 0.6, 0.25, 1, 0, 0.5, 1] as [Float], shape: [1, 1, 2, 4])
        let picture = try MLXArray([0.8, 0.8, 0.8, 0.1, 0.2, 0.3] as [Float], shape: [1, 1, 2, 3])
        let layer = try EditLayer(rgba: rgba)
        XCTAssertEqual(layer.alpha.shape, [1, 1, 2, 1])
        // (1 − 0.25)·0.8 + 0.25·(0.2, 0.4, 0.6) = (0.65, 0.70, 0.75); α = 1 gives the edit.
        let composite = try layer.composite(over: picture).toArray(Float.self)
        for (value, expected) in zip(composite, [0.65, 0.70, 0.75, 1, 0, 0.5] as [Float]) { XCTAssertEqual(value, expected, accuracy: 1e-6) }
        // 0.25·edit + 0.75·(0, 177, 64)/255.
        let screen = try layer.onGreenScreen().toArray(Float.self)
        let expectedScreen: [Float] = [0.05, 0.1 + 0.75 * 177 / 255, 0.15 + 0.75 * 64 / 255, 1, 0, 0.5]
        for (value, expected) in zip(screen, expectedScreen) { XCTAssertEqual(value, expected, accuracy: 1e-6) }
        XCTAssertEqual(try layer.alphaPicture().toArray(Float.self), [0.25, 0.25, 0.25, 1, 1, 1])
    }

    func testRangeConversionsAndShapeErrors() throws {
        let picture = try MLXArray([0, 0.25, 1] as [Float], shape: [1, 1, 1, 3])
        XCTAssertEqual(try PictureRange.toVAE(picture).toArray(Float.self), [-1, -0.5, 1])
        XCTAssertEqual(try PictureRange.fromVAE(PictureRange.toVAE(picture)).toArray(Float.self), [0, 0.25, 1])
        let layer = try EditLayer(rgba: try zeros([1, 2, 2, 4]))
        XCTAssertThrowsError(try layer.composite(over: try zeros([1, 2, 3, 3])))
        XCTAssertThrowsError(try EditLayer(rgba: try zeros([1, 2, 2, 3])))
        XCTAssertThrowsError(try EditLayer(edit: try zeros([1, 2, 2, 3]), alpha: try zeros([1, 2, 3, 1])))
    }
}
