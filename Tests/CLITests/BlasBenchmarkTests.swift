import XCTest

/// The CLI's BLAS benchmark runs and reports OpenBLAS as the library serving MLX (the fast path's
/// proof is the binding, MLXCoreTests' testOpenBLASServesMLX; rates are benchmark figures, never
/// asserted: a loaded CI machine must not fail a test).
final class BlasBenchmarkTests: XCTestCase {
    func testBenchBlasReportsOpenBLASRate() throws {
        let result = try CommandRunner.run(["bench", "blas", "--repeats", "3", "--no-reference"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("openblas"), "MLX is not bound to OpenBLAS:\n\(result.stdout)")
        let line = try XCTUnwrap(result.stdout.split(separator: "\n").first { $0.contains("1024x1024 matmul") && $0.contains("MLX") })
        XCTAssertNotNil(line.split(separator: " ").dropLast().last.flatMap { Double($0) }, "a rate is printed: \(line)")
    }
}
