import Foundation
import ImageIO
import XCTest

/// `adapt-stylegan` as a user runs it on the shipped toy generator and toy model.
final class AdaptStyleGANTests: XCTestCase {
    static let toyGenerator = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/toy-gan/generator.safetensors").path

    /// Object pixels: far enough from the white background.
    static func silhouette(_ picture: RGBImage) -> [Bool] {
        (0..<(picture.width * picture.height)).map { index in
            let (r, g, b) = picture[index % picture.width, index / picture.width]
            return 255 - Int(min(r, g, b)) > 40
        }
    }

    /// The toy result: "a green cube" on the toy generator of cubes in six colours makes most
    /// samples green (≥ 75%, judged by the toy judge) while each keeps its silhouette (mean IoU of
    /// before and after ≥ 0.7). Guards the chain generator → resize → prior → trainable layers.
    func testToyAdaptationTurnsCubesGreenAndKeepsTheirShapes() throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.toyGenerator), "the shipped toy generator is missing")
        let run = try CommandRunner.temporaryFile("placeholder", contents: Data()).deletingLastPathComponent().appendingPathComponent("adapt").path
        let result = try CommandRunner.run(["adapt-stylegan", "--prompt", "a green cube", "--output", run, "--samples", "12"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let after = (0..<12).map { run + String(format: "/after/sample-%03d.png", $0) }
        let judged = try CommandRunner.run(["judge-toy"] + after + ["--expect", "a green cube"])
        XCTAssertEqual(judged.status, 0, judged.stderr)
        let line = try XCTUnwrap(judged.stdout.split(separator: "\n").last { $0.hasPrefix("colour green:") })
        let green = Int(line.split(separator: " ")[2].split(separator: "/")[0])!
        XCTAssertGreaterThanOrEqual(Double(green) / 12, 0.75, judged.stdout)
        var iou = 0.0
        for index in 0..<12 {
            let before = Self.silhouette(try PNG.read(run + String(format: "/before/sample-%03d.png", index)))
            let adapted = Self.silhouette(try PNG.read(after[index]))
            let intersection = zip(before, adapted).filter { $0 && $1 }.count, union = zip(before, adapted).filter { $0 || $1 }.count
            iou += union == 0 ? 1 : Double(intersection) / Double(union)
        }
        XCTAssertGreaterThanOrEqual(iou / 12, 0.7, "mean silhouette IoU before/after")
        for name in ["before.png", "after.png", "comparison.png", "generator.safetensors", "losses.csv", "checkpoint.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/" + name), name)
        }
        // The adapted generator loads again and samples.
        let samples = run + "/resampled"
        let sampled = try CommandRunner.run(["sample-stylegan", "--generator", run + "/generator.safetensors", "--count", "2", "--output", samples])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
    }

    func testBadInputsAreNamed() throws {
        let work = try CommandRunner.temporaryFile("placeholder", contents: Data()).deletingLastPathComponent()
        let missing = work.appendingPathComponent("missing.pt").path
        assertCleanFailure(try CommandRunner.run(["adapt-stylegan", "--prompt", "a green cube", "--generator", missing,
                                                  "--output", work.appendingPathComponent("run").path]), mentions: missing)
        let hostile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FormatsTests/Fixtures/hostile-system.pt").path
        assertCleanFailure(try CommandRunner.run(["adapt-stylegan", "--prompt", "a green cube", "--generator", hostile,
                                                  "--output", work.appendingPathComponent("run2").path]), mentions: "posix.system")
        let notAGenerator = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FormatsTests/Fixtures/checkpoint.pt").path
        assertCleanFailure(try CommandRunner.run(["adapt-stylegan", "--prompt", "a green cube", "--generator", notAGenerator,
                                                  "--output", work.appendingPathComponent("run3").path]), mentions: "'g_ema'")
        // An unparsable option: ArgumentParser's message with the usage, no crash.
        let layers = try CommandRunner.run(["adapt-stylegan", "--prompt", "a green cube", "--layers", "nonsense",
                                            "--output", work.appendingPathComponent("run4").path])
        XCTAssertNotEqual(layers.status, 0)
        XCTAssertLessThan(layers.status, 128)
        XCTAssertTrue(layers.stderr.contains("'nonsense' is invalid for '--layers"), layers.stderr)
    }
}
