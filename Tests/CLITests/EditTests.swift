import Foundation
import ImageIO
import XCTest

/// `latent-prior edit` as a user runs it on the shipped toy model.
final class EditTests: XCTestCase {
    private func folder() throws -> URL {
        try CommandRunner.temporaryFile("placeholder", contents: Data()).deletingLastPathComponent()
    }

    /// The toy edit: a green sphere the toy renderer makes, "a blue sphere" with the default
    /// settings. The object must come out blue, the background stay as it was (mean |Δ| below 0.05
    /// of full scale over background pixels) and α lie on the object (mean inside > 2× outside).
    /// Guards the whole chain: network, compositing, the prior's gradient to the pixels, sparsity,
    /// the outputs at the input's size.
    func testToyEditRecoloursTheObjectAndLeavesTheBackground() throws {
        let work = try folder()
        let picture = work.appendingPathComponent("green-sphere.png").path
        let render = try CommandRunner.run(["render-toy", "--shape", "sphere", "--colour", "green", "--output", picture])
        XCTAssertEqual(render.status, 0, render.stderr)
        let run = work.appendingPathComponent("edit").path
        let edit = try CommandRunner.run(["edit", "--image", picture, "--prompt", "a blue sphere", "--output", run])
        XCTAssertEqual(edit.status, 0, edit.stderr)

        let input = try PNG.read(picture), composite = try PNG.read(run + "/composite.png"), alpha = try PNG.read(run + "/alpha.png")
        XCTAssertEqual([composite.width, composite.height], [input.width, input.height])
        // Object: every input pixel that is not near-white, grown by one pixel (anti-aliased edges).
        let (width, height) = (input.width, input.height)
        var object = [Bool](repeating: false, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = input[x, y]
                guard 255 - Int(min(r, g, b)) > 20 else { continue }
                for dy in -1...1 { for dx in -1...1 where (0..<width).contains(x + dx) && (0..<height).contains(y + dy) {
                    object[(y + dy) * width + x + dx] = true
                } }
            }
        }
        var backgroundChange = 0.0, backgroundCount = 0.0, alphaInside = 0.0, insideCount = 0.0, alphaOutside = 0.0
        for y in 0..<height {
            for x in 0..<width {
                let a = Double(alpha[x, y].0) / 255
                if object[y * width + x] {
                    alphaInside += a
                    insideCount += 1
                } else {
                    let (p, q) = (input[x, y], composite[x, y])
                    backgroundChange += (abs(Double(p.0) - Double(q.0)) + abs(Double(p.1) - Double(q.1)) + abs(Double(p.2) - Double(q.2))) / (3 * 255)
                    alphaOutside += a
                    backgroundCount += 1
                }
            }
        }
        backgroundChange /= backgroundCount
        alphaInside /= insideCount
        alphaOutside /= backgroundCount
        XCTAssertLessThan(backgroundChange, 0.05, "background changed by \(backgroundChange)")
        XCTAssertGreaterThan(alphaInside, 2 * alphaOutside, "alpha inside \(alphaInside), outside \(alphaOutside)")

        let judged = try CommandRunner.run(["judge-toy", run + "/composite.png", "--expect", "a blue sphere"])
        XCTAssertEqual(judged.status, 0, judged.stderr)
        XCTAssertTrue(judged.stdout.contains("colour blue: 1/1"), judged.stdout)
        for name in ["alpha.png", "edit.png", "green-screen.png", "comparison.png", "losses.csv", "config.json", "checkpoint.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/" + name), name)
        }
    }

    func testBadInputsAreNamedAndWriteNothing() throws {
        let work = try folder()
        let run = work.appendingPathComponent("run").path
        let missing = work.appendingPathComponent("missing.png").path
        assertCleanFailure(try CommandRunner.run(["edit", "--image", missing, "--prompt", "a blue sphere", "--output", run]), mentions: missing)
        let text = work.appendingPathComponent("notes.png")
        try Data("not a picture".utf8).write(to: text)
        assertCleanFailure(try CommandRunner.run(["edit", "--image", text.path, "--prompt", "a blue sphere", "--output", run]), mentions: text.path)
        let picture = work.appendingPathComponent("picture.png").path
        XCTAssertEqual(try CommandRunner.run(["render-toy", "--shape", "cube", "--colour", "red", "--output", picture]).status, 0)
        let smallMask = work.appendingPathComponent("mask.png").path
        XCTAssertEqual(try CommandRunner.run(["render-toy", "--shape", "cube", "--colour", "red", "--size", "32", "--output", smallMask]).status, 0)
        assertCleanFailure(try CommandRunner.run(["edit", "--image", picture, "--mask", smallMask, "--prompt", "a blue cube", "--output", run]),
                           mentions: smallMask, "64×64")
        assertCleanFailure(try CommandRunner.run(["edit", "--image", picture, "--prompt", "  ", "--output", run]), mentions: "prompt is empty")
        let tiny = work.appendingPathComponent("tiny.png").path
        try PNG.write(RGBImage(width: 2, height: 40), to: tiny)
        assertCleanFailure(try CommandRunner.run(["edit", "--image", tiny, "--prompt", "a blue cube", "--output", run]), mentions: tiny, "2×40")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run), "no run folder for an edit that cannot start")
    }
}
