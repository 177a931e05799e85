import Foundation
import MLXCore
import XCTest

/// Our CPU kernels run on MLX's worker thread, where an escaping C++ exception would terminate the
/// process. A kernel that fails there (a scratch allocation, above all) must surface as a thrown
/// error from the evaluation that waited for it, and leave the next evaluation unaffected.
final class KernelFailureTests: XCTestCase {
    func testAKernelsOutOfMemoryFailureIsThrownByTheEvaluationNotFatal() throws {
        let x = try MLXArray((0..<24).map(Float.init), shape: [4, 6])
        setenv("LATENT_PRIOR_FAULT_INJECTION", "kernel-bad-alloc:softmax", 1)
        XCTAssertThrowsError(try softmax(x).toArray(Float.self)) { error in
            XCTAssertEqual("\(error)", "softmax kernel: out of memory for its scratch buffers")
        }
        unsetenv("LATENT_PRIOR_FAULT_INJECTION")
        let rows = try softmax(x).toArray(Float.self)
        XCTAssertEqual(rows.count, 24)
        XCTAssertEqual(rows[0..<6].reduce(0, +), 1, accuracy: 1e-5, "the failure was consumed; the kernel runs again")
    }
}
