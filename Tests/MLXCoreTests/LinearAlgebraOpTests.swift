import MLXCore
import XCTest

/// Matmul, convolutions (channels-last, MLX weight layout [O, K..., C/groups]) and the fused
/// kernels against numpy's direct definitions. Tolerance 1e-5 relative (float32 accumulation).
final class LinearAlgebraOpTests: XCTestCase {
    func testBatchedBroadcastMatmul() throws {
        let c = try OpCase.named("matmul_broadcast")
        try c.check(matmul(c.inputs["a"]!, c.inputs["b"]!), "matmul")
    }

    func testConvolutions() throws {
        var c = try OpCase.named("conv1d_stride2_pad1_groups2")
        try c.check(conv1d(c.inputs["x"]!, c.inputs["w"]!, stride: c.int("stride"), padding: c.int("padding"), groups: c.int("groups")), "conv1d")
        c = try OpCase.named("conv2d_pad1")
        try c.check(conv2d(c.inputs["x"]!, c.inputs["w"]!, padding: 1), "conv2d")
        c = try OpCase.named("conv2d_stride2_dilation2")
        try c.check(conv2d(c.inputs["x"]!, c.inputs["w"]!, stride: 2, padding: 2, dilation: 2), "conv2d strided dilated")
        c = try OpCase.named("conv3d_pad1")
        try c.check(conv3d(c.inputs["x"]!, c.inputs["w"]!, padding: 1), "conv3d")
    }

    func testTransposedConvolutionIsTheScatterDefinition() throws {
        let c = try OpCase.named("conv_transpose2d_stride2_pad1")
        try c.check(convTransposed2d(c.inputs["x"]!, c.inputs["w"]!, stride: c.int("stride"), padding: c.int("padding")), "conv transpose")
    }

    func testFusedNormsAndAttention() throws {
        var c = try OpCase.named("layer_norm")
        try c.check(layerNorm(c.inputs["x"]!, weight: c.inputs["weight"]!, bias: c.inputs["bias"]!, eps: 1e-5), "layer norm")
        c = try OpCase.named("rms_norm")
        try c.check(rmsNorm(c.inputs["x"]!, weight: c.inputs["weight"]!, eps: 1e-5), "rms norm")
        for name in ["sdpa", "sdpa_mask"] {
            c = try OpCase.named(name)
            try c.check(scaledDotProductAttention(queries: c.inputs["q"]!, keys: c.inputs["k"]!, values: c.inputs["v"]!,
                                                  scale: 0.5, mask: c.inputs["mask"]), name)
        }
    }

    func testAddmm() throws {
        let a = try MLXArray([1, 2, 3, 4] as [Float], shape: [2, 2])
        let bias = try MLXArray([10, 20] as [Float])
        XCTAssertEqual(try addmm(bias, a, a, alpha: 2, beta: 0.5).toArray(Float.self), [19, 30, 35, 54])
    }
}
