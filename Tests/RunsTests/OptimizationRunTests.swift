import Foundation
import MLXCore
import XCTest
@testable import Runs

/// The run loop every application shares, on a quadratic: exact resume, the log, the NaN guard,
/// refused resumes and deterministic checkpoints.
final class OptimizationRunTests: XCTestCase {
    private func folder() throws -> RunFolder {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return try RunFolder(path: path)
    }

    private func configuration(iterations: Int) -> QuadraticConfiguration {
        var c = QuadraticConfiguration()
        c.iterations = iterations
        return c
    }

    private func theta(_ folder: RunFolder) throws -> [Float] {
        try XCTUnwrap(SafetensorsFile.load(folder.checkpointPath).tensors["point.theta"]).toArray(Float.self)
    }

    func testResumedRunEqualsTheStraightRun() throws {
        let straight = try folder()
        let whole = try QuadraticSystem(configuration(iterations: 6), folder: straight, resume: false)
        try whole.run.execute(whole) { _ in }
        let interrupted = try folder()
        let first = try QuadraticSystem(configuration(iterations: 3), folder: interrupted, resume: false)
        try first.run.execute(first) { _ in }
        let resumed = try QuadraticSystem(configuration(iterations: 6), folder: interrupted, resume: true)
        XCTAssertEqual(resumed.run.completedSteps, 3)
        var seen: [Int] = []
        try resumed.run.execute(resumed) { seen.append($0.step) }
        XCTAssertEqual(seen, [4, 5, 6])
        XCTAssertEqual(try theta(interrupted), try theta(straight))
        XCTAssertEqual(resumed.snapshots, [4, 6], "snapshots before each checkpoint: every 2 steps and at the end")
        XCTAssertTrue(resumed.finished)
        let rows = try String(contentsOfFile: interrupted.file("losses.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.map { String($0.split(separator: ",")[0]) }, ["step", "1", "2", "3", "4", "5", "6"])
        XCTAssertEqual(try String(contentsOfFile: interrupted.file("losses.csv"), encoding: .utf8),
                       try String(contentsOfFile: straight.file("losses.csv"), encoding: .utf8))
    }

    /// A run stopped after its checkpoint at step 2 leaves log rows 3… behind (the bug guarded
    /// against: resumed rows appended after stale ones, so a step appears twice).
    func testResumeDropsLogRowsPastTheCheckpoint() throws {
        let run = try folder()
        let first = try QuadraticSystem(configuration(iterations: 2), folder: run, resume: false)
        try first.run.execute(first) { _ in }
        try first.run.log.append(["3", "0.5"])
        try first.run.log.append(["4", "0.25"])
        let resumed = try QuadraticSystem(configuration(iterations: 4), folder: run, resume: true)
        try resumed.run.execute(resumed) { _ in }
        let steps = try String(contentsOfFile: run.file("losses.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",")[0] }
        XCTAssertEqual(steps, ["1", "2", "3", "4"])
    }

    /// A NaN after a checkpoint stops the run naming term and step, and leaves the checkpoint file
    /// byte for byte as it was (the guard runs before the optimiser touches the parameters).
    func testNonFiniteStepStopsAndKeepsTheCheckpoint() throws {
        let run = try folder()
        let first = try QuadraticSystem(configuration(iterations: 2), folder: run, resume: false)
        try first.run.execute(first) { _ in }
        let saved = try Data(contentsOf: URL(fileURLWithPath: run.checkpointPath))
        var c = configuration(iterations: 6)
        c.poisonedStep = 4
        let system = try QuadraticSystem(c, folder: run, resume: true)
        XCTAssertThrowsError(try system.run.execute(system) { _ in }) { error in
            XCTAssertEqual(error as? RunError, .nonFinite(step: 4, term: "the quadratic loss", lastCheckpointStep: 2))
            XCTAssertTrue("\(error)".contains("the checkpoint of step 2 is kept"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: run.checkpointPath)), saved, "the checkpoint of step 2 is unchanged")

        let fresh = try folder()
        c.poisonedStep = 1
        let early = try QuadraticSystem(c, folder: fresh, resume: false)
        XCTAssertThrowsError(try early.run.execute(early) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("no checkpoint was written yet"), "\(error)")
        }
        XCTAssertFalse(fresh.hasCheckpoint)
    }

    func testResumingAnotherConfigurationNamesTheSetting() throws {
        let run = try folder()
        let first = try QuadraticSystem(configuration(iterations: 2), folder: run, resume: false)
        try first.run.execute(first) { _ in }
        var other = configuration(iterations: 4)
        other.learningRate = 0.5
        XCTAssertThrowsError(try QuadraticSystem(other, folder: run, resume: true)) { error in
            XCTAssertTrue("\(error)".contains("learningRate"), "\(error)")
            XCTAssertTrue("\(error)".contains(run.checkpointPath), "\(error)")
        }
        var longer = configuration(iterations: 4)
        longer.poisonedStep = 9
        XCTAssertNoThrow(try QuadraticSystem(longer, folder: run, resume: true), "iterations and cleared settings may change")
    }

    func testCorruptCheckpointIsNamed() throws {
        let run = try folder()
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: run.checkpointPath))
        XCTAssertThrowsError(try QuadraticSystem(configuration(iterations: 2), folder: run, resume: true)) { error in
            XCTAssertTrue("\(error)".contains(run.checkpointPath), "\(error)")
        }
        try SafetensorsFile(tensors: ["x": try zeros([1])]).save(run.checkpointPath)
        XCTAssertThrowsError(try QuadraticSystem(configuration(iterations: 2), folder: run, resume: true)) { error in
            XCTAssertTrue("\(error)".contains("not a checkpoint of `quadratic`"), "\(error)")
        }
    }

    /// Two identical runs write identical checkpoints (sorted metadata and configuration keys).
    func testIdenticalRunsWriteIdenticalCheckpoints() throws {
        let a = try folder(), b = try folder()
        for run in [a, b] {
            let system = try QuadraticSystem(configuration(iterations: 2), folder: run, resume: false)
            try system.run.execute(system) { _ in }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a.checkpointPath)), try Data(contentsOf: URL(fileURLWithPath: b.checkpointPath)))
    }

    func testStepRandomnessDependsOnlyOnSeedAndStep() throws {
        let randomness = StepRandomness(seed: 7)
        XCTAssertEqual(try Random.normal([3], key: randomness.key(step: 4)).toArray(Float.self),
                       try Random.normal([3], key: StepRandomness(seed: 7).key(step: 4)).toArray(Float.self))
        XCTAssertNotEqual(try Random.normal([3], key: randomness.key(step: 4)).toArray(Float.self),
                          try Random.normal([3], key: randomness.key(step: 5)).toArray(Float.self))
        var g1 = randomness.generator(step: 2, stream: 1), g2 = randomness.generator(step: 2, stream: 2)
        XCTAssertNotEqual(g1.next(), g2.next(), "streams of one step are independent")
    }
}
