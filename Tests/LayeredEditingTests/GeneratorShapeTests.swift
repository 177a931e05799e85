import MLXCore
import NN
import XCTest
@testable import LayeredEditing

final class GeneratorShapeTests: XCTestCase {
    func testOutputHasTheInputSizeAndFourChannelsInTheUnitInterval() throws {
        try InitializationKeys.seed(1)
        let model = try SkipGenerator(configuration: SkipGeneratorConfiguration(scales: 3, downChannels: 4, upChannels: 3, skipChannels: 2))
        for (height, width) in [(16, 16), (9, 23), (24, 17)] {
            let input = try Random.uniform([2, height, width, 3], key: try Random.key(UInt64(height)))
            let output = try model(input)
            XCTAssertEqual(output.shape, [2, height, width, 4])
            XCTAssertGreaterThan(try output.min().item(Float.self), 0)
            XCTAssertLessThan(try output.max().item(Float.self), 1)
        }
    }

    func testParameterCountClosedFormAtTheDefaults() throws {
        // SPEC §8 quotes ≈ 3.1M; PyTorch's count of Text2LIVE's skip(3, 4, 7 × 128/128/4) is 3,115,548
        // (printed by scripts/make_edit_reference.py).
        XCTAssertEqual(SkipGeneratorConfiguration().parameterCount, 3_115_548)
        let model = try SkipGenerator()
        XCTAssertEqual(model.trainableParameterCount(), 3_115_548)
        for configuration in [SkipGeneratorConfiguration(scales: 1, downChannels: 3, upChannels: 5, skipChannels: 1),
                              SkipGeneratorConfiguration(scales: 5, downChannels: 16, upChannels: 8, skipChannels: 4)] {
            XCTAssertEqual(try SkipGenerator(configuration: configuration).trainableParameterCount(), configuration.parameterCount)
        }
    }

    func testTooSmallPicturesAndBadSettingsAreTypedErrors() throws {
        let model = try SkipGenerator(configuration: SkipGeneratorConfiguration(scales: 3, downChannels: 2, upChannels: 2, skipChannels: 1))
        XCTAssertEqual(SkipGeneratorConfiguration(scales: 3).minimumSide, 9)
        XCTAssertNoThrow(try model(try zeros([1, 9, 9, 3])))
        XCTAssertThrowsError(try model(try zeros([1, 8, 16, 3]))) { error in
            XCTAssertEqual(error as? LayeredEditingError, .pictureTooSmall(height: 8, width: 16, scales: 3, minimumSide: 9))
        }
        XCTAssertThrowsError(try model(try zeros([1, 16, 16, 4])))
        XCTAssertThrowsError(try SkipGenerator(configuration: SkipGeneratorConfiguration(skipChannels: 0)))
        XCTAssertThrowsError(try SkipGenerator(configuration: SkipGeneratorConfiguration(scales: 0)))
    }
}
