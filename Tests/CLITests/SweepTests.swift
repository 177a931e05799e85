import Foundation
import XCTest

/// `sweep` over a prompts file with two processes: one run folder per prompt, sweep.csv in the
/// file's order, a contact sheet, finished prompts skipped on a rerun, and bad input named.
final class SweepTests: XCTestCase {
    private let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffusionTests/Fixtures/tiny-sd1").path

    func testSweepRunsEveryPromptOnceAndResumes() throws {
        let prompts = try CommandRunner.temporaryFile("prompts.txt", contents: Data("a red cube\n# not a prompt\n\na blue sphere, \"glossy\"\n".utf8))
        let output = prompts.deletingLastPathComponent().appendingPathComponent("sweep").path
        let command = ["sweep", "--prompts", prompts.path, "--output", output, "--processes", "2", "--",
                       "optimize", "--model", model, "--iterations", "2", "--seed", "4"]
        let first = try CommandRunner.run(command)
        XCTAssertEqual(first.status, 0, first.stderr)
        let folders = try FileManager.default.contentsOfDirectory(atPath: output).filter { !$0.hasPrefix("sweep") }.sorted()
        XCTAssertEqual(folders, ["001-a-red-cube", "002-a-blue-sphere-glossy"])
        let csv = try String(contentsOfFile: output + "/sweep.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 3)
        XCTAssertTrue(csv[1].hasPrefix("a red cube,001-a-red-cube,t="), String(csv[1]))
        XCTAssertTrue(csv[2].hasPrefix("\"a blue sphere, \"\"glossy\"\"\",002-a-blue-sphere-glossy,"), String(csv[2]))
        XCTAssertTrue(FileManager.default.fileExists(atPath: output + "/sweep.png"))
        let config = try String(contentsOfFile: output + "/002-a-blue-sphere-glossy/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains(#""prompt" : "a blue sphere, \"glossy\"""#), config)

        let checkpoint = output + "/001-a-red-cube/checkpoint.safetensors"
        let before = try FileManager.default.attributesOfItem(atPath: checkpoint)[.modificationDate] as? Date
        let second = try CommandRunner.run(command)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("2 already done, 0 to run"), second.stdout)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: checkpoint)[.modificationDate] as? Date, before, "not run again")
    }

    func testBadSweepsAreNamed() throws {
        let empty = try CommandRunner.temporaryFile("empty.txt", contents: Data("# nothing\n\n".utf8))
        let out = empty.deletingLastPathComponent().appendingPathComponent("out").path
        assertCleanFailure(try CommandRunner.run(["sweep", "--prompts", empty.path, "--output", out, "--", "optimize"]),
                           mentions: "holds no prompt", empty.path)
        assertCleanFailure(try CommandRunner.run(["sweep", "--prompts", "/no/such/file", "--output", out, "--", "optimize"]),
                           mentions: "/no/such/file")
        let prompts = try CommandRunner.temporaryFile("p.txt", contents: Data("a cube\n".utf8))
        for (arguments, needle) in [(["--", "generate"], "sweep runs"), (["--", "optimize", "--prompt", "x"], "--prompt is set by sweep"),
                                    (["--processes", "0", "--", "optimize"], "--processes"), ([String](), "after `--`")] {
            let result = try CommandRunner.run(["sweep", "--prompts", prompts.path, "--output", out] + arguments)
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.stderr.contains(needle), result.stderr)
        }
    }
}
