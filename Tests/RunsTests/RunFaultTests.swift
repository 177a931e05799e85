import Foundation
import MLXCore
import XCTest
@testable import Runs

/// What a run does when it is interrupted or finds the leftovers of an interrupted run: Ctrl-C and
/// SIGTERM stop at the step boundary with a checkpoint, partial files of killed runs are removed,
/// a resume without a checkpoint says so, and an output path that is a file is named as one.
final class RunFaultTests: XCTestCase {
    private var notices: [String] = []
    private var savedPost: ((String) -> Void)!

    override func setUp() {
        savedPost = RunNotices.post
        RunNotices.post = { [unowned self] in self.notices.append($0) }
    }

    override func tearDown() {
        RunNotices.post = savedPost
        StopRequests.clear()
    }

    private func folder() throws -> RunFolder {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("run-fault-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return try RunFolder(path: path)
    }

    private func configuration(iterations: Int) -> QuadraticConfiguration {
        var c = QuadraticConfiguration()
        c.iterations = iterations
        c.saveEvery = 4
        return c
    }

    private func theta(_ folder: RunFolder) throws -> [Float] {
        try XCTUnwrap(SafetensorsFile.load(folder.checkpointPath).tensors["point.theta"]).toArray(Float.self)
    }

    /// The signal arrives inside step 3 (checkpoints every 4): step 3 completes, its checkpoint is
    /// written, the run ends with `.stopped` instead of its outputs, and a resume equals the straight run.
    func testSignalStopsAtTheStepBoundaryWithACheckpoint() throws {
        for signal in [SIGINT, SIGTERM] {
            let straight = try folder()
            let whole = try QuadraticSystem(configuration(iterations: 6), folder: straight, resume: false)
            try whole.run.execute(whole) { _ in }

            let run = try folder()
            let interrupted = try QuadraticSystem(configuration(iterations: 6), folder: run, resume: false)
            interrupted.signalDuringStep = (3, signal)
            var seen: [Int] = []
            XCTAssertThrowsError(try interrupted.run.execute(interrupted) { seen.append($0.step) }) { error in
                XCTAssertEqual(error as? RunError, .stopped(signal: signal == SIGINT ? "SIGINT" : "SIGTERM", step: 3, checkpoint: run.checkpointPath))
                XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
            }
            XCTAssertEqual(seen, [1, 2, 3])
            XCTAssertEqual(interrupted.snapshots, [3], "the stop writes a checkpoint (with its snapshot) at step 3")
            XCTAssertFalse(interrupted.finished, "a stopped run does not write its final outputs")
            XCTAssertNil(StopRequests.pending, "the request is consumed")

            let resumed = try QuadraticSystem(configuration(iterations: 6), folder: run, resume: true)
            XCTAssertEqual(resumed.run.completedSteps, 3)
            try resumed.run.execute(resumed) { _ in }
            XCTAssertEqual(try theta(run), try theta(straight))
            XCTAssertEqual(try String(contentsOfFile: run.file("losses.csv"), encoding: .utf8),
                           try String(contentsOfFile: straight.file("losses.csv"), encoding: .utf8))
        }
    }

    /// A signal during the last step does not stop anything: the run is finished anyway.
    func testSignalDuringTheLastStepLetsTheRunFinish() throws {
        let run = try folder()
        let system = try QuadraticSystem(configuration(iterations: 3), folder: run, resume: false)
        system.signalDuringStep = (3, SIGINT)
        try system.run.execute(system) { _ in }
        XCTAssertTrue(system.finished)
    }

    /// `.<name>.tmp-<pid>` files of processes that no longer exist are removed when a run starts
    /// (here and in snapshots/); a temporary of a live process (this one) is left alone.
    func testStaleTemporariesAreRemovedWhenARunStarts() throws {
        let run = try folder()
        let deadPid = Int32.max  // above any pid_max: no such process
        let stale = [".checkpoint.safetensors.tmp-\(deadPid)", "snapshots/.step-000002.png.tmp-\(deadPid)"]
        let live = ".final.png.tmp-\(getpid())"
        for name in stale + [live] { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: run.file(name))) }
        _ = try QuadraticSystem(configuration(iterations: 2), folder: run, resume: true)
        for name in stale { XCTAssertFalse(FileManager.default.fileExists(atPath: run.file(name)), name) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.file(live)))
        XCTAssertEqual(notices.filter { $0.contains("partial file") }.count, 2, "\(notices)")
        XCTAssertTrue(notices.contains { $0.contains("--resume: no checkpoint") }, "\(notices)")
    }

    func testResumeWithoutACheckpointSaysItStartsFresh() throws {
        let run = try folder()
        let system = try QuadraticSystem(configuration(iterations: 2), folder: run, resume: true)
        XCTAssertEqual(system.run.completedSteps, 0)
        XCTAssertEqual(notices, ["--resume: no checkpoint in '\(run.url.path)', starting from step 0"])
        notices = []
        _ = try QuadraticSystem(configuration(iterations: 2), folder: run, resume: false)
        XCTAssertEqual(notices, [], "no note without --resume")
    }

    func testOutputThatIsAFileIsNamed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-folder-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertThrowsError(try RunFolder(path: file.path)) { error in
            XCTAssertEqual("\(error)", "cannot write to output folder '\(file.path)': it is a file; --output names a folder")
        }
        XCTAssertThrowsError(try RunFolder(path: file.path + "/run")) { error in
            XCTAssertEqual("\(error)", "cannot write to output folder '\(file.path)/run': '\(file.path)' is a file, not a folder")
        }
    }
}
