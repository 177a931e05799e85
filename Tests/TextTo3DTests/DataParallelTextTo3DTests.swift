import Diffusion
import Foundation
import MLXCore
import Runs
import XCTest
@testable import TextTo3D

/// A process group of `size` ranks that all hold the same numbers: its all-sum is x · size. With it,
/// rank 0 of a 2-process run with 2 views per step computes view 0 only, and the summed-then-averaged
/// gradient is exactly view 0's: the run must equal a 1-process, 1-view run bit for bit. That pins
/// the sharing of views (view 0 on rank 0), the packing and unpacking of the all-sum, the averaging,
/// and which rank writes. (Real processes over MLX's ring: DistributedLaunchTests in CLITests.)
final class MirroredGroup: ProcessGroup {
    let rank: Int, size: Int
    init(rank: Int, size: Int) { (self.rank, self.size) = (rank, size) }
    func allSum(_ array: MLXArray) throws -> MLXArray { try array * Float(size) }
}

final class DataParallelTextTo3DTests: XCTestCase {

    func testRankZeroOfTwoWithTwoViewsEqualsOneProcessWithOneView() throws {
        let pipeline = try pipeline()
        let single = try TextTo3DTrainer(configuration: TextTo3DTrainerTests.smallConfiguration(iterations: 3), pipeline: pipeline,
                                         run: temporaryRun(), resume: false)
        try single.train { _ in }

        var twoViews = TextTo3DTrainerTests.smallConfiguration(iterations: 3)
        twoViews.viewsPerStep = 2
        let rank0Run = try temporaryRun()
        let rank0 = try TextTo3DTrainer(configuration: twoViews, pipeline: pipeline, run: rank0Run, resume: false,
                                        parallel: DataParallel(group: MirroredGroup(rank: 0, size: 2)))
        var logged: [Int] = []
        try rank0.train { logged.append($0.step) }
        XCTAssertEqual(logged, [1, 2, 3])
        for ((key, a), (_, b)) in zip(single.scene.namedParameters(), rank0.scene.namedParameters()) {
            XCTAssertEqual(try a.value.toArray(Float.self), try b.value.toArray(Float.self), key)
        }
        XCTAssertTrue(rank0Run.hasCheckpoint)

        let rank1Run = try temporaryRun()
        let rank1 = try TextTo3DTrainer(configuration: twoViews, pipeline: pipeline, run: rank1Run, resume: false,
                                        parallel: DataParallel(group: MirroredGroup(rank: 1, size: 2)))
        try rank1.train { _ in XCTFail("only rank 0 reports") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: rank1Run.url.path), ["snapshots"], "rank 1 writes nothing")
        XCTAssertNotEqual(try rank1.scene.namedParameters()[0].parameter.value.toArray(Float.self),
                          try rank0.scene.namedParameters()[0].parameter.value.toArray(Float.self), "rank 1 computed view 1")
    }

    func testMoreProcessesThanViewsIsRefused() throws {
        XCTAssertThrowsError(try TextTo3DTrainer(configuration: TextTo3DTrainerTests.smallConfiguration(iterations: 1), pipeline: pipeline(),
                                                 run: temporaryRun(), resume: false,
                                                 parallel: DataParallel(group: MirroredGroup(rank: 0, size: 2)))) { error in
            XCTAssertTrue("\(error)".contains("--views-per-step is 1"), "\(error)")
        }
    }
}
