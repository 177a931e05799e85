import Diffusion
import Foundation
import ImageIO
import MLXCore
import XCTest
@testable import LayeredEditing

/// The editing loop on the shipped toy model with a small network: exact resume, the run folder's
/// files, outputs at the input's size, refused resumes.
final class LayeredEditorTests: XCTestCase {
    static let modelFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/toy-world").path

    private func temporaryFolder(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// A green disk on white, `width` × `height` (not the working size, so outputs must be resized back).
    private func picture(width: Int = 80, height: Int = 72) throws -> String {
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width where (x - width / 2) * (x - width / 2) + (y - height / 2) * (y - height / 2) < 400 {
                pixels[(y * width + x) * 3] = 30
                pixels[(y * width + x) * 3 + 1] = 170
                pixels[(y * width + x) * 3 + 2] = 40
            }
        }
        let path = temporaryFolder("picture") + ".png"
        try PNG.write(RGBImage(width: width, height: height, pixels: pixels), to: path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func configuration(iterations: Int, image: String) -> EditConfiguration {
        var c = EditConfiguration(prompt: "a blue sphere", model: Self.modelFolder, image: image).scaled(toModelImageSize: 64)
        c.iterations = iterations
        c.saveEvery = 2
        c.generator = SkipGeneratorConfiguration(scales: 2, downChannels: 8, upChannels: 8, skipChannels: 2)
        c.augmentation.viewsPerStep = 2
        c.augmentation.fullPictureEvery = 3  // the whole picture joins the batch at steps 1 and 4
        c.prior.guidanceScale = 7.5
        return c
    }

    func testInterruptedRunResumesToTheSameNetworkAndWritesOutputsAtTheInputSize() throws {
        let pipeline = try StableDiffusion.load(try ModelFolder(path: Self.modelFolder))
        let image = try picture()
        let input = try EditInput(path: image, maskPath: nil)
        let straight = try RunFolder(path: temporaryFolder("edit-straight"))
        let whole = try LayeredEditor(configuration: configuration(iterations: 4, image: image), pipeline: pipeline, input: input,
                                      run: straight, resume: false)
        try whole.edit { _ in }

        let interrupted = try RunFolder(path: temporaryFolder("edit-interrupted"))
        try LayeredEditor(configuration: configuration(iterations: 2, image: image), pipeline: pipeline, input: input,
                          run: interrupted, resume: false).edit { _ in }
        let resumed = try LayeredEditor(configuration: configuration(iterations: 4, image: image), pipeline: pipeline, input: input,
                                        run: interrupted, resume: true)
        XCTAssertEqual(resumed.completedSteps, 2)
        var steps: [Int] = []
        try resumed.edit { steps.append($0.step) }
        XCTAssertEqual(steps, [3, 4])
        for ((key, a), (_, b)) in zip(whole.generator.namedParameters(), resumed.generator.namedParameters()) where !key.hasSuffix("num_batches_tracked") {
            XCTAssertEqual(try a.value.toArray(Float.self), try b.value.toArray(Float.self), key)
        }
        XCTAssertEqual(try String(contentsOfFile: interrupted.file("losses.csv"), encoding: .utf8).split(separator: "\n").count, 5)

        // Outputs at the input's own size (80×72), the working size being 72×64 (short side 64, multiples of 8).
        XCTAssertEqual(resumed.workingSize, try WorkingSize(height: 64, width: 72, multiple: 8))
        for name in ["composite.png", "alpha.png", "green-screen.png"] {
            let written = try PNG.read(interrupted.file(name))
            XCTAssertEqual([written.width, written.height], [80, 72], name)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: interrupted.file("snapshots/step-000004.png")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: interrupted.file("config.json")))
    }

    /// Where α is 0 the composite is the original picture exactly, whatever the working size.
    func testTransparentLayerLeavesThePictureUntouched() throws {
        let image = try picture(width: 53, height: 61)
        let input = try EditInput(path: image, maskPath: nil)
        let layer = try EditLayer(edit: ones([1, 61, 53, 3]) * 0.3, alpha: zeros([1, 61, 53, 1]))
        let composite = try RGBImage(layer.composite(over: input.picture).index(0), range: 0...1)
        XCTAssertEqual(composite, input.original)
    }

    func testResumingAnotherPictureIsRefused() throws {
        let pipeline = try StableDiffusion.load(try ModelFolder(path: Self.modelFolder))
        let run = try RunFolder(path: temporaryFolder("edit-other"))
        let first = try picture()
        try LayeredEditor(configuration: configuration(iterations: 2, image: first), pipeline: pipeline,
                          input: try EditInput(path: first, maskPath: nil), run: run, resume: false).edit { _ in }
        let second = try picture(width: 80, height: 70)
        XCTAssertThrowsError(try LayeredEditor(configuration: configuration(iterations: 4, image: second), pipeline: pipeline,
                                               input: try EditInput(path: second, maskPath: nil), run: run, resume: true)) { error in
            XCTAssertTrue("\(error)".contains("imageFingerprint"), "\(error)")
        }
    }

    func testMaskOfAnotherSizeAndTinyPicturesAreNamed() throws {
        let image = try picture()
        let mask = try picture(width: 40, height: 36)
        XCTAssertThrowsError(try EditInput(path: image, maskPath: mask)) { error in
            XCTAssertEqual("\(error)", "mask '\(mask)' is 40×36 pixels; it must be the picture's size, 80×72")
        }
        let tiny = try picture(width: 3, height: 30)
        XCTAssertThrowsError(try EditInput(path: tiny, maskPath: nil).workingSize(shortSide: 64, multiple: 8, downsampling: 4)) { error in
            XCTAssertTrue("\(error)".contains("3×30"), "\(error)")
        }
    }
}
