import XCTest

/// The CLI's BLAS benchmark proves the fast path: MLX's cblas must come from OpenBLAS, and the
/// 1024² matmul must clear a bar the bundled reference BLAS (~6 GFLOP/s here) cannot.
final class BlasBenchmarkTests: XCTestCase {
    func testBenchBlasReportsOpenBLASRate() throws {
        let result = try CommandRunner.run(["bench", "blas", "--repeats", "3", "--no-reference"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("openblas"), "MLX is not bound to OpenBLAS:\n\(result.stdout)")
        let line = try XCTUnwrap(result.stdout.split(separator: "\n").first { $0.contains("1024x1024 matmul") && $0.contains("MLX") })
        let rate = try XCTUnwrap(line.split(separator: " ").dropLast().last.flatMap { Double($0) }, String(line))
        // Generous against a loaded CI machine; the reference BLAS reaches only ~6 GFLOP/s.
        XCTAssertGreaterThan(rate, 30, String(line))
    }
}
