import MLXCore
import NN
import XCTest
@testable import Diffusion

/// Encoder feature maps read by layer: shapes, agreement with `encode`, and errors.
final class EncoderFeaturesTests: XCTestCase {
    private func vae() throws -> AutoencoderKL {
        try InitializationKeys.seed(5)
        var c = VAEConfiguration()
        c.blockOutChannels = [8, 16, 16]
        c.normGroups = 4
        return try AutoencoderKL(configuration: c)
    }

    func testShapesFollowTheEncodingPath() throws {
        let model = try vae()
        let image = try Random.uniform([2, 16, 24, 3], low: -1, high: 1, key: try Random.key(1))
        let features = try model.encoderFeatures(image, layers: [.convIn, .downBlock(0), .downBlock(1), .downBlock(2), .midBlock])
        // down_blocks.i output is after its downsampler; the last block has none.
        XCTAssertEqual(features[.convIn]?.shape, [2, 16, 24, 8])
        XCTAssertEqual(features[.downBlock(0)]?.shape, [2, 8, 12, 8])
        XCTAssertEqual(features[.downBlock(1)]?.shape, [2, 4, 6, 16])
        XCTAssertEqual(features[.downBlock(2)]?.shape, [2, 4, 6, 16])
        XCTAssertEqual(features[.midBlock]?.shape, [2, 4, 6, 16])
    }

    func testEncodeWithFeaturesMatchesEncodeAndTheTruncatedPass() throws {
        let model = try vae()
        let image = try Random.uniform([1, 16, 16, 3], low: -1, high: 1, key: try Random.key(2))
        let (mean, logVariance) = try model.encode(image)
        let combined = try model.encodeWithFeatures(image, layers: [.downBlock(1), .midBlock])
        XCTAssertEqual(try combined.mean.toArray(Float.self), try mean.toArray(Float.self))
        XCTAssertEqual(try combined.logVariance.toArray(Float.self), try logVariance.toArray(Float.self))
        let alone = try model.encoderFeatures(image, layers: [.downBlock(1)])
        XCTAssertEqual(try XCTUnwrap(alone[.downBlock(1)]).toArray(Float.self), try XCTUnwrap(combined.features[.downBlock(1)]).toArray(Float.self))
        XCTAssertNil(alone[.midBlock])
    }

    func testLayerNamesAndErrors() throws {
        XCTAssertEqual(EncoderLayer(name: "down_blocks.2"), .downBlock(2))
        XCTAssertEqual(EncoderLayer(name: "mid_block"), .midBlock)
        XCTAssertEqual(EncoderLayer(name: "conv_in"), .convIn)
        XCTAssertNil(EncoderLayer(name: "up_blocks.1"))
        XCTAssertEqual(EncoderLayer.downBlock(3).description, "down_blocks.3")
        XCTAssertLessThan(EncoderLayer.downBlock(9), EncoderLayer.midBlock)
        let model = try vae()
        XCTAssertThrowsError(try model.encoderFeatures(try zeros([1, 16, 16, 3]), layers: [.downBlock(3)]))
        XCTAssertThrowsError(try model.encoderFeatures(try zeros([1, 16, 16, 4]), layers: [.midBlock]))
    }
}
