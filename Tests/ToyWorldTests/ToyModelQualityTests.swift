import Diffusion
import Foundation
import XCTest
@testable import ToyWorld

/// The shipped toy model draws what it is asked (SPEC §4): one sample per colour × shape prompt
/// with fixed seeds; the prompted colour wins in ≥ 90% of samples, the shape is recognised in ≥ 70%.
final class ToyModelQualityTests: XCTestCase {
    func testShippedModelDrawsThePromptedColourAndShape() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models/toy-world")
        // A missing shipped model fails (it used to skip, which hid a broken checkout in CI).
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("model_index.json").path) else {
            return XCTFail("no shipped toy model at \(folder.path)")
        }
        let pipeline = try StableDiffusion.load(try ModelFolder(path: folder.path))
        var evaluation = ToyModelEvaluation()
        // The model's recommended sampling guidance (latent_prior.json); README's figures use the same.
        evaluation.guidanceScale = 3
        evaluation.steps = 25
        let result = try evaluation.run(pipeline)
        XCTAssertGreaterThanOrEqual(result.colourRate, 0.9, "colour correct in \(result.colourRate * 100)%")
        XCTAssertGreaterThanOrEqual(result.shapeRate, 0.7, "shape recognised in \(result.shapeRate * 100)%")
    }
}
