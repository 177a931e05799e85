import MLXCore
import XCTest
@testable import NN

private final class Normed: Module {
    let scale: Parameter
    let norm: BatchNorm
    init(channels: Int) throws {
        scale = Parameter(try MLXArray([2] as [Float]))
        norm = try BatchNorm(channels)
    }
}

/// BatchNorm against host-side sums (PyTorch's definition), and its buffers in a gradient trace.
final class BatchNormTests: XCTestCase {
    func testTrainingModeStatisticsAndRunningUpdate() throws {
        // [N=2, H=1, W=3, C=2]: channel 0 holds 1…6, channel 1 holds squares.
        let values: [Float] = [1, 1, 2, 4, 3, 9, 4, 16, 5, 25, 6, 36]
        let norm = try BatchNorm(2)
        let y = try norm(try MLXArray(values, shape: [2, 1, 3, 2])).toArray(Float.self)
        for channel in 0..<2 {
            let column = stride(from: channel, to: 12, by: 2).map { Double(values[$0]) }
            let mean = column.reduce(0, +) / 6
            let biased = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 6
            for (row, index) in stride(from: channel, to: 12, by: 2).enumerated() {
                XCTAssertEqual(Double(y[index]), (column[row] - mean) / (biased + 1e-5).squareRoot(), accuracy: 1e-5)
            }
            // running_mean = 0.9·0 + 0.1·mean; running_var = 0.9·1 + 0.1·unbiased.
            XCTAssertEqual(Double(try norm.runningMean.value.toArray(Float.self)[channel]), 0.1 * mean, accuracy: 1e-5)
            XCTAssertEqual(Double(try norm.runningVar.value.toArray(Float.self)[channel]), 0.9 + 0.1 * biased * 6 / 5, accuracy: 1e-4)
        }
        XCTAssertEqual(try norm.numBatchesTracked.value.item(Int64.self), 1)
        XCTAssertThrowsError(try norm(try zeros([1, 1, 1, 2])))  // one value per channel
    }

    func testBuffersAreSavedButNotTrainedAndUpdateInsideAGradientTrace() throws {
        let model = try Normed(channels: 2)
        XCTAssertEqual(Set(model.namedParameters().map(\.key)),
                       ["scale", "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var", "norm.num_batches_tracked"])
        XCTAssertEqual(Set(model.trainableParameters().map(\.key)), ["scale", "norm.weight", "norm.bias"])
        let x = try MLXArray([1, 0, 3, 2, 5, 4, 7, 6] as [Float], shape: [4, 1, 1, 2])
        let (_, gradients) = try model.valueAndGradients { try square(model.norm(x * model.scale.value)).sum() }
        XCTAssertEqual(Set(gradients.keys), ["scale", "norm.weight", "norm.bias"])
        // The statistics of x·2: channel 0 is 2, 6, 10, 14 (mean 8, unbiased variance 26.67).
        try eval(model.batchNormBuffers())
        XCTAssertEqual(try model.norm.runningMean.value.toArray(Float.self)[0], 0.8, accuracy: 1e-5)
        XCTAssertEqual(try model.norm.runningVar.value.toArray(Float.self)[0], 0.9 + 0.1 * 80 / 3, accuracy: 1e-4)
        model.setTraining(false)
        XCTAssertFalse(model.norm.training)
    }
}
