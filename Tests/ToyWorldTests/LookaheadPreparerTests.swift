import MLXCore
import XCTest
@testable import ToyWorld

/// The look-ahead gives each step the input `prepare` makes for it, whether it was prepared ahead
/// on the worker thread (with its own MLX stream) or in line, and passes the worker's errors on.
final class LookaheadPreparerTests: XCTestCase {
    struct Failure: Error, Equatable { let step: Int }

    private func input(_ step: Int) throws -> MLXArray {
        try Random.normal([4, 8], key: Random.key(UInt64(step))) * Float(step)
    }

    func testEveryStepGetsItsOwnInput() throws {
        let preparer = LookaheadPreparer(prepare: input, evaluate: { try eval([$0]) })
        for step in 1...6 {
            let value = try preparer.input(for: step, then: step < 6 ? step + 1 : nil)
            XCTAssertEqual(try value.toArray(Float.self), try input(step).toArray(Float.self), "step \(step)")
        }
    }

    func testAStepOtherThanThePreparedOneIsMadeInLine() throws {
        let preparer = LookaheadPreparer(prepare: input, evaluate: { try eval([$0]) })
        _ = try preparer.input(for: 1, then: 2)
        // A resumed or restarted stage asks for another step: the prepared step 2 is dropped.
        let value = try preparer.input(for: 5, then: nil)
        XCTAssertEqual(try value.toArray(Float.self), try input(5).toArray(Float.self))
    }

    func testAnErrorOnTheWorkerReachesTheStepThatNeedsIt() throws {
        let preparer = LookaheadPreparer(prepare: { (step: Int) -> Int in
            if step == 3 { throw Failure(step: step) }
            return step
        }, evaluate: { _ in })
        XCTAssertEqual(try preparer.input(for: 1, then: 2), 1)
        XCTAssertEqual(try preparer.input(for: 2, then: 3), 2)
        XCTAssertThrowsError(try preparer.input(for: 3, then: nil)) { error in
            XCTAssertEqual(error as? Failure, Failure(step: 3))
        }
    }
}
