import XCTest

/// The CLI restarts itself once so that OpenBLAS's idle threads sleep instead of spinning
/// (MLXRuntime.restartWithSleepingBLASThreadsIfNeeded); a value the user set is kept.
final class BLASIdleThreadTests: XCTestCase {
    func testSetsTheTimeoutWhenUnsetAndKeepsAUsersValue() throws {
        let info = try CommandRunner.run(["info"], environment: ["OPENBLAS_THREAD_TIMEOUT": nil])
        XCTAssertEqual(info.status, 0, info.stderr)
        #if os(Linux)
        // Linux builds link Debian's OpenBLAS (make setup): its absence is a failure, not a reason to skip.
        XCTAssertTrue(info.stdout.contains("BLAS kernels"), "OpenBLAS not active: \(info.stdout)")
        #else
        try XCTSkipUnless(info.stdout.contains("BLAS kernels"), "not OpenBLAS here (macOS uses Accelerate)")
        #endif
        XCTAssertTrue(info.stdout.contains("OPENBLAS_THREAD_TIMEOUT=4"), info.stdout)
        let own = try CommandRunner.run(["info"], environment: ["OPENBLAS_THREAD_TIMEOUT": "7"])
        XCTAssertTrue(own.stdout.contains("OPENBLAS_THREAD_TIMEOUT=7"), own.stdout)
    }

    func testArgumentsSurviveTheRestart() throws {
        let arguments = ["tokenize", "a red  cube", "a blue sphere"]
        let restarted = try CommandRunner.run(arguments, environment: ["OPENBLAS_THREAD_TIMEOUT": nil])
        let direct = try CommandRunner.run(arguments, environment: ["OPENBLAS_THREAD_TIMEOUT": "4"])
        XCTAssertEqual(restarted.status, 0, restarted.stderr)
        XCTAssertEqual(restarted.stdout.split(separator: "\n").count, 2, restarted.stdout)
        XCTAssertEqual(restarted.stdout, direct.stdout)
    }
}
