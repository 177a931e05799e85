import Foundation
import MLXCore
import XCTest

/// `launch` over MLX's ring backend on loopback: ranks reach each other, a failing rank stops the
/// launch with its status and leaves no process behind, and a 2-process text-to-3D run with two
/// views per step writes the same checkpoint as one process (and resumes with another count).
final class DistributedLaunchTests: XCTestCase {
    func testTwoRanksSumAndGatherOverTheRing() throws {
        let result = try CommandRunner.run(["launch", "--processes", "2", "--", "check-distributed", "--elements", "100000"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for rank in 0..<2 {
            XCTAssertTrue(result.stdout.contains("[\(rank)] rank \(rank) of 2 (MLX distributed"), result.stdout)
        }
        XCTAssertEqual(result.stdout.components(separatedBy: "3.0 everywhere, correct").count - 1, 2, result.stdout)
        XCTAssertEqual(result.stdout.components(separatedBy: "all-gather: [0, 1]").count - 1, 2, result.stdout)
    }

    func testAFailingRankStopsTheLaunchWithItsStatusAndNoOrphans() throws {
        let marker = "\(Int.random(in: 1_000_000..<9_000_000))"
        let started = Date()
        let result = try CommandRunner.run(["launch", "--processes", "2", "--", "check-distributed", "--elements", marker, "--fail-rank", "1"])
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        XCTAssertTrue(result.stderr.contains("launch: rank 1 ended with status 3"), result.stderr)
        let search = Process()
        search.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        search.arguments = ["-f", "elements \(marker)"]
        search.standardOutput = FileHandle.nullDevice
        try search.run()
        search.waitUntilExit()
        XCTAssertEqual(search.terminationStatus, 1, "no rank is left running")
    }

    func testTwoProcessesGiveTheCheckpointOfOneAndResumeWithAnotherCount() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("launch-t3d-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        func textTo3D(_ output: String, iterations: Int, resume: Bool = false) -> [String] {
            ["text-to-3d", "--prompt", "a red cube", "--output", root.appendingPathComponent(output).path, "--iterations", "\(iterations)",
             "--views-per-step", "2", "--save-every", "2", "--mesh-resolution", "16"] + (resume ? ["--resume"] : [])
        }
        // One BLAS thread, as each of the two ranks gets on this machine: on some CPUs (an AMD EPYC
        // without AVX-512, session 9) OpenBLAS's sums depend on its thread count, which is not what
        // this test is about.
        let oneThread: [String: String?] = ["OPENBLAS_NUM_THREADS": "1"]
        let one = try CommandRunner.run(textTo3D("one", iterations: 4), environment: oneThread)
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try CommandRunner.run(["launch", "--processes", "2", "--"] + textTo3D("two", iterations: 4))
        XCTAssertEqual(two.status, 0, two.stderr)
        // Rank 0 writes; rank 1 holds the same field and writes nothing.
        XCTAssertTrue(two.stdout.contains("[0] mesh:"), two.stdout)
        XCTAssertFalse(two.stdout.contains("[1] mesh:"), two.stdout)
        func tensors(_ run: String) throws -> [String: [Float]] {
            try SafetensorsFile.load(root.appendingPathComponent(run).appendingPathComponent("checkpoint.safetensors").path)
                .tensors.mapValues { try $0.asType(.float32).toArray(Float.self) }
        }
        func losses(_ run: String) throws -> String {
            try String(contentsOf: root.appendingPathComponent(run).appendingPathComponent("losses.csv"), encoding: .utf8)
        }
        // Two views summed over two ranks is the same float addition as in one process: equal, not just close.
        XCTAssertEqual(try tensors("two"), try tensors("one"))
        XCTAssertEqual(try losses("two"), try losses("one"))

        // Half the run on two processes, the rest on one: the checkpoint does not depend on the count.
        let half = try CommandRunner.run(["launch", "--processes", "2", "--"] + textTo3D("mixed", iterations: 2))
        XCTAssertEqual(half.status, 0, half.stderr)
        let rest = try CommandRunner.run(textTo3D("mixed", iterations: 4, resume: true), environment: oneThread)
        XCTAssertEqual(rest.status, 0, rest.stderr)
        XCTAssertEqual(try tensors("mixed"), try tensors("one"))
    }

    func testBadLaunchesAreNamed() throws {
        let hostfile = try CommandRunner.temporaryFile("hosts.json", contents: Data(#"[{"ssh": "node1"}]"#.utf8))
        for (arguments, needle) in [(["--processes", "0", "--", "info"], "--processes must be in 1...64"),
                                    (["--processes", "2"], "after `--`"),
                                    (["--hostfile", "/no/such/hosts.json", "--", "info"], "/no/such/hosts.json"),
                                    (["--hostfile", hostfile.path, "--", "info"], "needs \"ssh\" (a host name) and \"ips\"")] {
            let result = try CommandRunner.run(["launch"] + arguments)
            XCTAssertNotEqual(result.status, 0, arguments.joined(separator: " "))
            XCTAssertLessThan(result.status, 128)
            XCTAssertTrue(result.stderr.contains(needle), result.stderr)
        }
        // More processes than views per step.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("launch-bad-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: output) }
        let result = try CommandRunner.run(["launch", "--processes", "2", "--", "text-to-3d", "--prompt", "a red cube", "--output", output,
                                            "--iterations", "1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--views-per-step is 1"), result.stderr)
    }
}
