import Diffusion
import Foundation
import MLXCore
import XCTest
@testable import Runs

/// Training cameras and view-dependent prompts (DreamFusion's convention, shared by text-to-3D and
/// the toy world's captions).
final class CameraSamplingAndViewPromptTests: XCTestCase {
    /// The bug guarded against: a boundary off by one sector (front/side at ±45°, back at 135–225°,
    /// overhead above 40°), or azimuths outside [0, 360) not wrapped.
    func testViewDirectionSectors() {
        let cases: [(Float, Float, ViewDirection)] = [
            (0, 0, .front), (44.9, 10, .front), (45, 10, .side), (134.9, 0, .side), (135, 0, .back), (224.9, 0, .back),
            (225, 0, .side), (314.9, 0, .side), (315, 0, .front), (-30, 0, .front), (-180, 0, .back), (730, 0, .front),
            (90, 40, .side), (90, 40.5, .overhead), (0, 89, .overhead),
        ]
        for (azimuth, elevation, expected) in cases {
            XCTAssertEqual(ViewDirection(azimuth: azimuth, elevation: elevation), expected, "azimuth \(azimuth), elevation \(elevation)")
        }
    }

    /// The bug guarded against: cameras outside their ranges, azimuths bunched in one half, or a
    /// step's camera depending on anything but seed and step (resume would see other cameras).
    func testSampledCamerasStayInTheirRangesAndCoverEveryAzimuth() {
        let sampler = CameraSampler(seed: 7, radius: UniformRange(2, 3), elevation: UniformRange(-10, 45), fieldOfView: UniformRange(30, 50))
        var quadrants = [0, 0, 0, 0]
        var views: [ViewDirection: Int] = [:]
        let count = 4000
        for step in 1...count {
            let camera = sampler.camera(step: step)
            XCTAssertTrue((0..<360).contains(camera.azimuth))
            XCTAssertTrue((-10...45).contains(camera.elevation))
            XCTAssertTrue((2...3).contains(camera.radius))
            XCTAssertTrue((30...50).contains(camera.fieldOfView))
            quadrants[Int(camera.azimuth / 90)] += 1
            views[camera.viewDirection, default: 0] += 1
        }
        for share in quadrants.map({ Double($0) / Double(count) }) { XCTAssertEqual(share, 0.25, accuracy: 0.03) }
        // Elevation above 40° is 5/55 of the range; the rest splits front 1/4, back 1/4, side 1/2.
        XCTAssertEqual(Double(views[.overhead] ?? 0) / Double(count), 5.0 / 55, accuracy: 0.02)
        XCTAssertEqual(Double(views[.side] ?? 0) / Double(count), 0.5 * 50 / 55, accuracy: 0.03)
        XCTAssertEqual(sampler.camera(step: 17), sampler.camera(step: 17))
        XCTAssertNotEqual(sampler.camera(step: 17), sampler.camera(step: 18))
        let other = CameraSampler(seed: 8, radius: UniformRange(2, 3), elevation: UniformRange(-10, 45), fieldOfView: UniformRange(30, 50))
        XCTAssertNotEqual(sampler.camera(step: 17), other.camera(step: 17))
    }

    /// The bug guarded against: a view's prompt paired with another view's embedding. Each camera's
    /// conditioning must be the text encoder's output for "P, <its view> view".
    func testViewPromptsPairEachCameraWithItsText() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DiffusionTests/Fixtures/tiny-sd1")
        let pipeline = try StableDiffusion.load(try ModelFolder(path: fixture.path))
        let prompts = try ViewPrompts(prompt: "a red cube", negativePrompt: "", viewDependent: true, encoder: pipeline.prompts)
        XCTAssertEqual(ViewPrompts.text("a red cube", view: .back), "a red cube, back view")
        XCTAssertEqual(ViewPrompts.text("a red cube", view: nil), "a red cube")
        let cameras: [(OrbitCamera, String)] = [
            (OrbitCamera(azimuth: 10, elevation: 0, radius: 3, fieldOfView: 40), "a red cube, front view"),
            (OrbitCamera(azimuth: 100, elevation: 0, radius: 3, fieldOfView: 40), "a red cube, side view"),
            (OrbitCamera(azimuth: 180, elevation: 0, radius: 3, fieldOfView: 40), "a red cube, back view"),
            (OrbitCamera(azimuth: 180, elevation: 60, radius: 3, fieldOfView: 40), "a red cube, overhead view"),
        ]
        let empty = try pipeline.prompts.encode([""])
        for (camera, text) in cameras {
            let conditioning = prompts.conditioning(for: camera)
            let expected = try pipeline.prompts.encode([text])
            XCTAssertEqual(try abs(conditioning.conditional - expected).max().item(Float.self), 0, accuracy: 1e-6, text)
            XCTAssertEqual(try abs(conditioning.unconditional - empty).max().item(Float.self), 0, accuracy: 1e-6)
        }
        let plain = try ViewPrompts(prompt: "a red cube", negativePrompt: "", viewDependent: false, encoder: pipeline.prompts)
        let expected = try pipeline.prompts.encode(["a red cube"])
        XCTAssertEqual(try abs(plain.conditioning(for: cameras[2].0).conditional - expected).max().item(Float.self), 0, accuracy: 1e-6)
    }

    /// Perp-Neg's conditioning at azimuth 120° (between side and back, r = 2/3): the positive prompt
    /// is r·E("…, side view") + (1 − r)·E("…, back view"), the negatives E("…, side view") and
    /// E("…, front view") with their weights; without view prompts it is refused.
    func testPerpNegBlendsTheNearestViewPrompts() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DiffusionTests/Fixtures/tiny-sd1")
        let pipeline = try StableDiffusion.load(try ModelFolder(path: fixture.path))
        let prompts = try ViewPrompts(prompt: "a red cube", negativePrompt: "", viewDependent: true, encoder: pipeline.prompts)
        let camera = OrbitCamera(azimuth: 120, elevation: 10, radius: 3, fieldOfView: 40)
        let conditioning = try prompts.conditioning(for: camera, perpNeg: PerpNegSettings())
        let side = try pipeline.prompts.encode(["a red cube, side view"]), back = try pipeline.prompts.encode(["a red cube, back view"])
        let front = try pipeline.prompts.encode(["a red cube, front view"])
        let r: Float = 2.0 / 3.0
        XCTAssertEqual(try abs(conditioning.conditional - (side * r + back * (1 - r))).max().item(Float.self), 0, accuracy: 1e-5)
        XCTAssertEqual(conditioning.perpendicularNegatives.count, 2)
        XCTAssertEqual(try abs(conditioning.perpendicularNegatives[0].embeddings - side).max().item(Float.self), 0, accuracy: 1e-6)
        XCTAssertEqual(try abs(conditioning.perpendicularNegatives[1].embeddings - front).max().item(Float.self), 0, accuracy: 1e-6)
        XCTAssertEqual(conditioning.perpendicularNegatives[0].weights[0], exp(-r * 10) * -2 / 2, accuracy: 1e-6)
        XCTAssertEqual(conditioning.perpendicularNegatives[1].weights, [-2])
        let plain = try ViewPrompts(prompt: "a red cube", negativePrompt: "", viewDependent: false, encoder: pipeline.prompts)
        XCTAssertThrowsError(try plain.conditioning(for: camera, perpNeg: PerpNegSettings()))
    }
}
