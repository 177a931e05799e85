import Foundation
import XCTest

/// `text-to-3d` refuses bad settings before any work, naming the problem.
final class TextTo3DBadInputTests: XCTestCase {
    private func output() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("t3d-cli-\(UUID().uuidString)").path
    }

    func testUnknownBackbone() throws {
        let result = try CommandRunner.run(["text-to-3d", "--prompt", "a red cube", "--output", output(), "--backbone", "octree"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertLessThan(result.status, 128)
        XCTAssertTrue(result.stderr.contains("octree"), result.stderr)
    }

    func testZeroIterations() throws {
        assertCleanFailure(try CommandRunner.run(["text-to-3d", "--prompt", "a red cube", "--output", output(), "--iterations", "0"]),
                           mentions: "--iterations must be positive")
    }

    func testEmptyPrompt() throws {
        assertCleanFailure(try CommandRunner.run(["text-to-3d", "--prompt", " ", "--output", output()]), mentions: "prompt is empty")
    }

    func testRefinementAndPerpNegOptionsAreChecked() throws {
        let run = output()
        assertCleanFailure(try CommandRunner.run(["text-to-3d", "--prompt", "a red cube", "--output", run, "--refine-iterations", "5", "--refine-only"]),
                           mentions: "--refine-only goes on from a checkpoint: add --resume")
        assertCleanFailure(try CommandRunner.run(["text-to-3d", "--prompt", "a red cube", "--output", run, "--refine-only", "--resume"]),
                           mentions: "--refine-only needs --refine-iterations N")
        assertCleanFailure(try CommandRunner.run(["text-to-3d", "--prompt", "a red cube", "--output", run, "--refine-iterations", "5",
                                                  "--refine-only", "--resume"]), mentions: "--refine-only: no checkpoint in")
        assertCleanFailure(try CommandRunner.run(["text-to-3d", "--prompt", "a red cube", "--output", run, "--refine-iterations", "5",
                                                  "--refine-resolution", "4096"]), mentions: "--refine-resolution must be in 8...1024")
        assertCleanFailure(try CommandRunner.run(["text-to-3d", "--prompt", "a red cube", "--output", run, "--perp-neg", "--perp-neg-decay", "2"]),
                           mentions: "--perp-neg-decay takes two numbers")
        assertCleanFailure(try CommandRunner.run(["text-to-3d", "--prompt", "a red cube", "--output", run, "--perp-neg", "--no-view-prompts"]),
                           mentions: "--perp-neg needs view-dependent prompts")
    }

    func testUnwritableOutputFolder() throws {
        let file = try CommandRunner.temporaryFile("not-a-folder", contents: Data("x".utf8))
        assertCleanFailure(try CommandRunner.run(["text-to-3d", "--prompt", "a red cube", "--output", file.path + "/run"]),
                           mentions: "cannot write to output folder", file.path)
    }
}

/// `judge-toy` reads 64×64 toy pictures only, and says so.
final class JudgeToyBadInputTests: XCTestCase {
    func testWrongSizeAndUnknownPromptAreNamed() throws {
        // A valid 2×1 PNG (RGB, one filtered row each).
        let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGP4z8DA8J8BAAf/Af8Bf4mnAAAAAElFTkSuQmCC")!
        let file = try CommandRunner.temporaryFile("tiny.png", contents: png)
        assertCleanFailure(try CommandRunner.run(["judge-toy", file.path]), mentions: file.path, "64×64")
        assertCleanFailure(try CommandRunner.run(["judge-toy", file.path, "--expect", "a teapot"]), mentions: "teapot")
    }
}
