import MLXCore
import NN
import XCTest
@testable import TextTo3D

/// A field of constant density and features inside the box: the closed form of volume rendering.
private final class ConstantField: Module, LatentField {
    let bound: Float = 1
    let featureChannels = 2
    let density: Float
    init(density: Float) { self.density = density }
    func sample(_ points: MLXArray) throws -> FieldSample {
        let n = points.dim(0)
        return FieldSample(density: try full([n], value: density), features: try full([n, 2], value: 3))
    }
}

final class VolumeRendererTests: XCTestCase {
    func testConstantDensityMatchesBeerLambert() throws {
        // A ray through the centre crosses 2 units of the box: opacity 1 − e^(−2σ).
        let renderer = VolumeRenderer(samplesPerRay: 64)
        let background = try MLXArray([Float(-1), 5], shape: [2])
        let camera = OrbitCamera(azimuth: 0, elevation: 0, radius: 3, fieldOfView: 1)
        for density: Float in [0.1, 0.7, 3] {
            let view = try renderer.render(ConstantField(density: density), camera: camera, width: 1, height: 1, background: background)
            let opacity = try view.opacity.item(Float.self)
            let expected = 1 - exp(-2 * density)
            XCTAssertEqual(opacity, expected, accuracy: 2e-4)
            let latents = try view.latents.toArray(Float.self)
            XCTAssertEqual(latents[0], 3 * expected - (1 - expected), accuracy: 1e-3)
            XCTAssertEqual(latents[1], 3 * expected + 5 * (1 - expected), accuracy: 1e-3)
        }
    }
}
