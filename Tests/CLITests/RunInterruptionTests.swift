import Foundation
import MLXCore
import XCTest

/// Runs interrupted the ways users' runs are: killed inside a checkpoint write (power cut, OOM
/// killer), and Ctrl-C. The resumed run must equal the straight one and leave a clean folder.
final class RunInterruptionTests: XCTestCase {
    private let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffusionTests/Fixtures/tiny-sd1").path

    private func scratch() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("interrupt-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func optimize(_ output: String, iterations: Int, saveEvery: Int, resume: Bool = false) -> [String] {
        ["optimize", "--model", model, "--prompt", "a red cube", "--output", output, "--iterations", "\(iterations)",
         "--seed", "11", "--save-every", "\(saveEvery)"] + (resume ? ["--resume"] : [])
    }

    private func theta(_ run: String) throws -> [Float] {
        try XCTUnwrap(SafetensorsFile.load(run + "/checkpoint.safetensors").tensors["tensor.theta"]).toArray(Float.self)
    }

    /// Every file under `folder`, relative, sorted.
    private func files(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
    }

    func testKilledInsideACheckpointWriteResumesExactly() throws {
        let root = scratch()
        let straight = root.appendingPathComponent("straight").path
        XCTAssertEqual(try CommandRunner.run(optimize(straight, iterations: 6, saveEvery: 2)).status, 0)

        let run = root.appendingPathComponent("killed").path
        // SIGKILL on the second checkpoint (step 4): its temporary is complete, the rename not done.
        let killed = try CommandRunner.run(optimize(run, iterations: 6, saveEvery: 2),
                                           environment: ["LATENT_PRIOR_FAULT_INJECTION": "kill-before-rename:checkpoint.safetensors:2"])
        XCTAssertEqual(killed.status, SIGKILL, killed.stderr)
        let leftovers = files(run).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers.count, 1, "\(files(run))")
        XCTAssertTrue(leftovers[0].hasPrefix(".checkpoint.safetensors.tmp-"), "\(leftovers)")
        XCTAssertEqual(try SafetensorsFile.load(run + "/checkpoint.safetensors").metadata["step"], "2",
                       "the checkpoint of step 2 is intact under its name")

        let resumed = try CommandRunner.run(optimize(run, iterations: 6, saveEvery: 2, resume: true))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("removed '\(leftovers[0])', a partial file left by an interrupted run"), resumed.stderr)
        XCTAssertEqual(files(run).filter { $0.contains(".tmp-") }, [])
        XCTAssertEqual(try theta(run), try theta(straight))
        XCTAssertEqual(try String(contentsOfFile: run + "/losses.csv", encoding: .utf8),
                       try String(contentsOfFile: straight + "/losses.csv", encoding: .utf8))
        XCTAssertEqual(files(run), files(straight), "the same files as a run never interrupted")
    }

    func testCtrlCStopsAtAStepWithACheckpointAndResumes() throws {
        let root = scratch()
        let run = root.appendingPathComponent("interrupted").path
        let process = Process()
        process.executableURL = try CommandRunner.executable
        process.arguments = optimize(run, iterations: 100_000, saveEvery: 100_000)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait for two logged steps, then press Ctrl-C.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let rows = (try? String(contentsOfFile: run + "/losses.csv", encoding: .utf8))?.split(separator: "\n").count ?? 0
            if rows >= 3 { break }
            usleep(20_000)
        }
        process.interrupt()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, stderr)
        XCTAssertEqual(process.terminationStatus, 130, stderr)
        let line = try XCTUnwrap(stderr.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(line.hasPrefix("stopped by SIGINT after step "), line)
        XCTAssertTrue(line.hasSuffix("run the same command with --resume to continue"), line)
        let stoppedStep = try XCTUnwrap(Int(line.dropFirst("stopped by SIGINT after step ".count).prefix { $0.isNumber }))
        XCTAssertEqual(try SafetensorsFile.load(run + "/checkpoint.safetensors").metadata["step"], "\(stoppedStep)")

        let total = stoppedStep + 2
        XCTAssertEqual(try CommandRunner.run(optimize(run, iterations: total, saveEvery: 100_000, resume: true)).status, 0)
        let straight = root.appendingPathComponent("straight").path
        XCTAssertEqual(try CommandRunner.run(optimize(straight, iterations: total, saveEvery: 100_000)).status, 0)
        XCTAssertEqual(try theta(run), try theta(straight))
        XCTAssertEqual(try String(contentsOfFile: run + "/losses.csv", encoding: .utf8),
                       try String(contentsOfFile: straight + "/losses.csv", encoding: .utf8))
    }
}
