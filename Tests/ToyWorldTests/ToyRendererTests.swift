import Foundation
import ImageIO
import XCTest
@testable import ToyWorld

/// The ray caster against closed forms, and the dataset's determinism and captions.
final class ToyRendererTests: XCTestCase {
    func testSphereSilhouetteAndCentreShadingMatchGeometry() {
        let renderer = ToyRenderer(size: 64)
        let camera = ToyCamera(azimuth: 0, elevation: 0)
        let (image, mask) = renderer.render(ToyScene(shape: .sphere, colour: .red, camera: camera))
        // A sphere of radius r at distance d subtends a disc of angular radius asin(r/d); on the image
        // plane (half-width tan(fov/2) ↔ 32 px) its radius is tan(asin(r/d)) / tan(fov/2) · 32 px.
        let angular = asin(0.8 / camera.radius)
        let expectedRadius = tan(angular) / tan(camera.fieldOfView * .pi / 360) * 32
        let area = mask.reduce(0, +)
        XCTAssertEqual((area / .pi).squareRoot(), expectedRadius, accuracy: 0.5)
        // Centre pixel: normal ≈ towards the camera (+z), colour = albedo · (ambient + diffuse · n·l).
        let light = ToyRenderer.ambient + ToyRenderer.diffuse * ToyRenderer.lightDirection.z
        let expectedRed = ToyColour.red.albedo.x * light * 255
        XCTAssertEqual(Float(image[32, 32].0), expectedRed, accuracy: 4)  // the 2×2 subsamples sit ±1/4 px off centre
    }

    func testShapesAndColoursAreDistinct() {
        let renderer = ToyRenderer(size: 32)
        let camera = ToyCamera(azimuth: 30, elevation: 20)
        let masks = ToyShape.allCases.map { renderer.render(ToyScene(shape: $0, colour: .blue, camera: camera)).mask }
        for i in masks.indices { for j in masks.indices where i < j { XCTAssertNotEqual(masks[i], masks[j]) } }
        let judge = ToyWorldJudge(size: 32)
        for colour in ToyColour.allCases {
            let image = renderer.render(ToyScene(shape: .cube, colour: colour, camera: camera)).image
            XCTAssertEqual(judge.judge(image).colour, colour)
        }
    }

    func testDatasetIsDeterministicAndCaptionsFollowTheScene() throws {
        let dataset = ToyDataset(seed: 5)
        let first = try dataset.batch(index: 3, size: 4)
        let second = try dataset.batch(index: 3, size: 4)
        XCTAssertEqual(first.captions, second.captions)
        XCTAssertEqual(try first.images.toArray(Float.self), try second.images.toArray(Float.self))
        XCTAssertEqual(first.images.shape, [4, 64, 64, 3])
        for index in 0..<50 {
            let (scene, caption) = dataset.scene(index)
            XCTAssertTrue(caption.hasPrefix("\(scene.colour == .orange ? "an" : "a") \(scene.colour.rawValue) \(scene.shape.rawValue)"), caption)
            XCTAssertTrue((-10...60).contains(scene.camera.elevation))
        }
    }

    func testViewSuffixes() {
        XCTAssertEqual(ViewDirection(azimuth: 10, elevation: 0), .front)
        XCTAssertEqual(ViewDirection(azimuth: 350, elevation: 30), .front)
        XCTAssertEqual(ViewDirection(azimuth: 90, elevation: 0), .side)
        XCTAssertEqual(ViewDirection(azimuth: 180, elevation: 10), .back)
        XCTAssertEqual(ViewDirection(azimuth: 180, elevation: 50), .overhead)
        XCTAssertEqual(ToyScene(shape: .cube, colour: .red, camera: ToyCamera(azimuth: 100, elevation: 0)).caption(withView: true),
                       "a red cube, side view")
    }

    func testJudgeRecognisesTheRenderersOwnImages() {
        let judge = ToyWorldJudge()
        let renderer = ToyRenderer()
        var random = SplitMix64(seed: 9)
        var shapesRight = 0, coloursRight = 0, total = 0
        for shape in ToyShape.allCases {
            for colour in ToyColour.allCases {
                // Cameras between the template grid's points.
                let camera = ToyCamera(azimuth: Float(random.nextUnit() * 360), elevation: Float(-10 + random.nextUnit() * 70))
                let verdict = judge.judge(renderer.render(ToyScene(shape: shape, colour: colour, camera: camera)).image)
                shapesRight += verdict.shape == shape ? 1 : 0
                coloursRight += verdict.colour == colour ? 1 : 0
                total += 1
            }
        }
        XCTAssertEqual(coloursRight, total)
        XCTAssertGreaterThanOrEqual(Float(shapesRight) / Float(total), 0.9, "\(shapesRight)/\(total)")
    }
}
