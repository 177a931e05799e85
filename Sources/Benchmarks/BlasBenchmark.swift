import Foundation
import MLXCore

/// Floating-point throughput of MLX's CPU matmul and convolution, which run through whatever
/// library serves `cblas_sgemm` (OpenBLAS after `make setup`), beside the bundled reference BLAS.
public struct BlasBenchmark {
    public struct Row {
        public let operation: String
        public let backend: String
        public let gflops: Double
        public let timing: Timing
    }

    public var matrixSizes: [Int] = [256, 512, 1024, 2048]
    public var referenceFolder: String?
    public var repeats = 5

    public init(referenceFolder: String?) {
        self.referenceFolder = referenceFolder
    }

    public func run(report: (Row) -> Void) throws {
        for n in matrixSizes {
            let key = try Random.key(UInt64(n))
            let keys = try Random.split(key)
            let a = try Random.normal([n, n], key: keys[0])
            let b = try Random.normal([n, n], key: keys[1])
            try eval(a, b)
            let timing = try Timing.measure(repeats: repeats) { try matmul(a, b).eval() }
            let flops = 2.0 * Double(n * n * n)
            report(Row(operation: "float32 \(n)x\(n) matmul", backend: "MLX", gflops: flops / timing.median / 1e9, timing: timing))
        }
        try convolutionRow(report: report)
        try referenceRow(report: report)
    }

    /// A 3×3 convolution of Stable Diffusion's first UNet block shape class (320 channels at 32×32).
    private func convolutionRow(report: (Row) -> Void) throws {
        let key = try Random.split(try Random.key(7))
        let input = try Random.normal([1, 32, 32, 320], key: key[0])
        let weight = try Random.normal([320, 3, 3, 320], key: key[1])
        try eval(input, weight)
        let timing = try Timing.measure(repeats: repeats) { try conv2d(input, weight, padding: 1).eval() }
        let flops = 2.0 * 32 * 32 * 320 * 320 * 9
        report(Row(operation: "float32 conv2d 3x3 32x32x320", backend: "MLX", gflops: flops / timing.median / 1e9, timing: timing))
    }

    private func referenceRow(report: (Row) -> Void) throws {
        guard let folder = referenceFolder, let reference = ReferenceBLAS(folder: folder) else { return }
        let n = 1024
        let a = (0..<(n * n)).map { Float(($0 * 7919) % 1000) / 1000 }
        let b = (0..<(n * n)).map { Float(($0 * 104729) % 1000) / 1000 }
        var c = [Float](repeating: 0, count: n * n)
        let timing = Timing.measure(warmup: 0, repeats: 1) { reference.multiply(a, b, &c, n: n) }
        report(Row(operation: "float32 \(n)x\(n) matmul", backend: "reference BLAS (wheel's own)",
                   gflops: 2.0 * Double(n * n * n) / timing.median / 1e9, timing: timing))
    }
}
