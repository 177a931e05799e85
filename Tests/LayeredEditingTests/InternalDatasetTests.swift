import MLXCore
import XCTest
@testable import LayeredEditing

final class InternalDatasetTests: XCTestCase {
    private func picture(height: Int = 40, width: Int = 56) throws -> MLXArray {
        try Random.uniform([1, height, width, 3], key: try Random.key(9))
    }

    private func dataset(settings: AugmentationSettings = AugmentationSettings(), mask: MLXArray? = nil, seed: UInt64 = 3) throws -> InternalDataset {
        try InternalDataset(picture: try picture(), mask: mask, size: try WorkingSize(height: 32, width: 48, multiple: 8), settings: settings, seed: seed)
    }

    func testSameSeedAndStepGiveTheSameBatchAndOtherStepsDiffer() throws {
        var settings = AugmentationSettings()
        settings.viewsPerStep = 3
        settings.jitterProbability = 0.5
        let first = try dataset(settings: settings), second = try dataset(settings: settings)
        let a = try first.batch(step: 7), b = try second.batch(step: 7)
        XCTAssertEqual(a.transforms, b.transforms)
        XCTAssertEqual(try a.views.toArray(Float.self), try b.views.toArray(Float.self))
        XCTAssertEqual(a.views.shape, [3, 32, 48, 3])
        let c = try first.batch(step: 8)
        XCTAssertNotEqual(a.transforms, c.transforms)
        XCTAssertNotEqual(try a.views.toArray(Float.self), try c.views.toArray(Float.self))
        XCTAssertNotEqual(a.transforms[0], a.transforms[1])  // views of one step differ
        XCTAssertNotEqual(try dataset(settings: settings, seed: 4).batch(step: 7).transforms, a.transforms)
    }

    func testCropsKeepAtLeastTheMinimumCoverOfEachScaledSide() throws {
        var settings = AugmentationSettings()
        settings.viewsPerStep = 4
        let data = try dataset(settings: settings)
        var flips = 0, jitters = 0, count = 0
        for step in 0..<60 {
            for t in try data.batch(step: step).transforms {
                count += 1
                XCTAssertTrue((0.8..<1.2).contains(t.scale))
                XCTAssertEqual(t.scaledHeight, Int(32 * t.scale))
                XCTAssertEqual(t.scaledWidth, Int(48 * t.scale))
                XCTAssertGreaterThanOrEqual(t.cropHeight, Int(0.85 * Double(t.scaledHeight)))
                XCTAssertGreaterThanOrEqual(t.cropWidth, Int(0.85 * Double(t.scaledWidth)))
                XCTAssertLessThanOrEqual(t.cropTop + t.cropHeight, t.scaledHeight)
                XCTAssertLessThanOrEqual(t.cropLeft + t.cropWidth, t.scaledWidth)
                XCTAssertGreaterThanOrEqual(min(t.cropTop, t.cropLeft), 0)
                if t.flipped { flips += 1 }
                if let jitter = t.jitter {
                    jitters += 1
                    for factor in [jitter.brightness, jitter.contrast, jitter.saturation] { XCTAssertTrue((0.9..<1.1).contains(factor)) }
                    XCTAssertTrue((-0.1..<0.1).contains(jitter.hue))
                    XCTAssertEqual(jitter.order.sorted(), [0, 1, 2, 3])
                }
            }
        }
        // 240 views: flips ~ Binomial(240, 0.5), jitters ~ Binomial(240, 0.1) (bounds ≥ 5σ away).
        XCTAssertTrue((80...160).contains(flips), "\(flips) flips")
        XCTAssertTrue((3...48).contains(jitters), "\(jitters) jitters of \(count)")
    }

    func testFullPictureEverySeventyFiveSteps() throws {
        let data = try dataset()
        for step in [0, 75, 150] {
            let batch = try data.batch(step: step)
            let full = try XCTUnwrap(batch.fullPicture, "step \(step)")
            XCTAssertEqual(try full.toArray(Float.self), try data.picture.toArray(Float.self))
        }
        for step in [1, 74, 76, 149] { XCTAssertNil(try data.batch(step: step).fullPicture, "step \(step)") }
        XCTAssertThrowsError(try data.batch(step: -1))
    }

    func testMaskFollowsTheSameGeometry() throws {
        // With the jitter off, a mask equal to the picture's red channel must stay its red channel.
        var settings = AugmentationSettings()
        settings.jitterProbability = 0
        settings.viewsPerStep = 2
        let red = try picture().sliced(axis: 3, 0..<1)
        let batch = try dataset(settings: settings, mask: red).batch(step: 75)
        let masks = try XCTUnwrap(batch.viewMasks)
        XCTAssertEqual(masks.shape, [2, 32, 48, 1])
        XCTAssertEqual(try masks.toArray(Float.self), try batch.views.sliced(axis: 3, 0..<1).toArray(Float.self))
        XCTAssertEqual(try XCTUnwrap(batch.fullPictureMask).shape, [1, 32, 48, 1])
    }

    func testAViewIsTheCropResampledToTheWorkingSize() throws {
        // Scale 1, no flip or jitter: the view is the crop, resized from 24×36 to 32×48.
        let base = try picture(height: 32, width: 48)
        let transform = ViewTransform(jitter: nil, flipped: false, scale: 1, scaledHeight: 32, scaledWidth: 48,
                                      cropHeight: 24, cropWidth: 36, cropTop: 5, cropLeft: 7)
        let view = try transform.apply(base, height: 32, width: 48)
        let expected = try base.sliced(start: [0, 5, 7, 0], stop: [1, 29, 43, 3]).resizedBilinear(height: 32, width: 48, antialias: true)
        XCTAssertEqual(try view.toArray(Float.self), try expected.toArray(Float.self))
        var flipped = transform
        flipped.flipped = true
        let mirrored = try flipped.apply(base, height: 32, width: 48)
        let expectedMirror = try base.flipped(axis: 2).sliced(start: [0, 5, 7, 0], stop: [1, 29, 43, 3]).resizedBilinear(height: 32, width: 48, antialias: true)
        XCTAssertEqual(try mirrored.toArray(Float.self), try expectedMirror.toArray(Float.self))
        // flipped(axis: 2) mirrors the columns.
        let columns = try MLXArray([1, 2, 3] as [Float], shape: [1, 1, 3, 1])
        XCTAssertEqual(try columns.flipped(axis: 2).toArray(Float.self), [3, 2, 1])
    }

    func testWorkingSizeAndBadInputs() throws {
        let size = try WorkingSize.fitting(height: 600, width: 900, shortSide: 512, multiple: 8)
        XCTAssertEqual(size, try WorkingSize(height: 512, width: 768, multiple: 8))
        XCTAssertEqual(try WorkingSize.fitting(height: 50, width: 70, shortSide: 64, multiple: 4), try WorkingSize(height: 64, width: 88, multiple: 4))
        XCTAssertThrowsError(try WorkingSize(height: 30, width: 48, multiple: 8))
        XCTAssertThrowsError(try InternalDataset(picture: try zeros([1, 8, 8, 4]), size: size, seed: 0))
        XCTAssertThrowsError(try InternalDataset(picture: try zeros([1, 8, 8, 3]), mask: try zeros([1, 8, 9, 1]), size: size, seed: 0))
        var settings = AugmentationSettings()
        settings.minimumCropCover = 0
        XCTAssertThrowsError(try InternalDataset(picture: try zeros([1, 8, 8, 3]), size: size, settings: settings, seed: 0))
    }
}
