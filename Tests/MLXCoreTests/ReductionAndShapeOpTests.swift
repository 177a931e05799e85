import MLXCore
import XCTest

/// Reductions, softmax, cumulative sums and shape ops against numpy.
final class ReductionAndShapeOpTests: XCTestCase {
    func testReductions() throws {
        var c = try OpCase.named("reduce_sum_axis1")
        try c.check(c.inputs["a"]!.sum(axes: c.ints("axes")), "sum")
        c = try OpCase.named("reduce_mean_axes02_keep")
        try c.check(c.inputs["a"]!.mean(axes: c.ints("axes"), keepDims: true), "mean keepdims")
        c = try OpCase.named("reduce_max_all")
        try c.check(c.inputs["a"]!.max(), "max over all")
        c = try OpCase.named("reduce_min_axis2")
        try c.check(c.inputs["a"]!.min(axes: c.ints("axes")), "min")
        c = try OpCase.named("reduce_prod_axis0")
        try c.check(c.inputs["a"]!.product(axes: c.ints("axes")), "prod")
        c = try OpCase.named("reduce_var_ddof0")
        try c.check(c.inputs["a"]!.variance(axes: c.ints("axes"), ddof: 0), "population variance")
        c = try OpCase.named("reduce_var_ddof1")
        try c.check(c.inputs["a"]!.variance(axes: c.ints("axes"), ddof: 1), "sample variance")
        c = try OpCase.named("reduce_logsumexp_axis2")
        try c.check(c.inputs["a"]!.logSumExp(axes: c.ints("axes")), "logsumexp")
        c = try OpCase.named("reduce_argmax_axis2")
        try c.check(c.inputs["a"]!.argMax(axis: 2), tolerance: 0, "argmax")
        c = try OpCase.named("softmax_last")
        try c.check(softmax(c.inputs["a"]!), "softmax")
        c = try OpCase.named("cumsum_axis1")
        try c.check(c.inputs["a"]!.cumulativeSum(axis: 1), "cumsum")
    }

    func testShapeOps() throws {
        var c = try OpCase.named("pad_constant")
        try c.check(c.inputs["a"]!.padded(axes: c.ints("axes"), low: c.ints("low"), high: c.ints("high"), value: 0.5), tolerance: 0, "pad constant")
        c = try OpCase.named("pad_edge")
        try c.check(c.inputs["a"]!.padded(axes: c.ints("axes"), low: c.ints("low"), high: c.ints("high"), mode: "edge"), tolerance: 0, "pad edge")
        c = try OpCase.named("slice_strided")
        try c.check(c.inputs["a"]!.sliced(start: c.ints("start"), stop: c.ints("stop"), strides: c.ints("strides")), tolerance: 0, "slice")
        c = try OpCase.named("transpose_120")
        try c.check(c.inputs["a"]!.transposed(c.ints("axes")), tolerance: 0, "transpose")
    }

    func testConcatenateStackSplitRoundTrip() throws {
        let a = try arange(0, 6).reshaped(2, 3), b = try arange(6, 12).reshaped(2, 3)
        XCTAssertEqual(try concatenated([a, b], axis: 1).toArray(Float.self), [0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11])
        XCTAssertEqual(try stacked([a, b], axis: 0).shape, [2, 2, 3])
        let parts = try concatenated([a, b], axis: 1).split(at: [3], axis: 1)
        XCTAssertEqual(try parts[1].toArray(Float.self), try b.toArray(Float.self))
        XCTAssertEqual(try a.reshaped(3, -1).shape, [3, 2])
        XCTAssertEqual(try a.expandedDimensions(axis: 0).squeezed().shape, [2, 3])
        XCTAssertEqual(try a.broadcast(to: [4, 2, 3]).shape, [4, 2, 3])
        XCTAssertEqual(try a.repeated(2, axis: 0).toArray(Float.self), [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
        XCTAssertEqual(try a.flipped(axis: 1).toArray(Float.self), [2, 1, 0, 5, 4, 3])
        XCTAssertEqual(try a.index(1).toArray(Float.self), [3, 4, 5])
    }

    func testIndexing() throws {
        var c = try OpCase.named("take_axis0")
        try c.check(c.inputs["a"]!.take(c.inputs["indices"]!.asType(.int32), axis: 0), tolerance: 0, "take")
        c = try OpCase.named("take_along_axis1")
        try c.check(c.inputs["a"]!.takeAlong(axis: 1, indices: c.inputs["indices"]!.asType(.int32)), tolerance: 0, "take along")
        c = try OpCase.named("scatter_add_axis1")
        try c.check(c.inputs["a"]!.scatterAddingAlong(axis: 1, indices: c.inputs["indices"]!.asType(.int32), values: c.inputs["values"]!),
                    "scatter add (repeated indices accumulate)")
        let sorted = try MLXArray([3, 1, 2] as [Float])
        XCTAssertEqual(try sorted.argSort().toArray(Int32.self), [1, 2, 0])
        XCTAssertEqual(try sorted.sorted().toArray(Float.self), [1, 2, 3])
    }
}
