import MLXCore
import NN
import XCTest
@testable import TextTo3D

/// The renderer's gradient with respect to the field's parameters against central finite differences.
final class RenderingGradientTests: XCTestCase {
    func testGradientsMatchFiniteDifferences() throws {
        var settings = VoxelGridField.Settings()
        settings.resolution = 4
        settings.blob = DensityBlob(density: 2, radius: 0.9)
        let field = try VoxelGridField(settings: settings, featureChannels: 2, bound: 1, key: Random.key(3))
        field.grid.table.value = try Random.normal(field.grid.table.value.shape, std: 0.5, key: Random.key(4))
        let renderer = VolumeRenderer(samplesPerRay: 12)
        let background = try MLXArray([Float(0.3), -0.2], shape: [2])
        let camera = OrbitCamera(azimuth: 30, elevation: 20, radius: 3, fieldOfView: 40)
        let samples = try renderer.samples(camera: camera, width: 3, height: 3, bound: 1)
        let latentWeights = try Random.normal([1, 3, 3, 2], key: Random.key(5))
        let opacityWeights = try Random.normal([3, 3], key: Random.key(6))
        func loss() throws -> MLXArray {
            let view = try renderer.render(field, samples: samples, width: 3, height: 3, background: background)
            return try (view.latents * latentWeights).sum() + (view.opacity * opacityWeights).sum()
        }
        let (_, gradients) = try field.valueAndGradients(loss)
        let gradient = try gradients["grid.table"]!.toArray(Float.self)
        let original = try field.grid.table.value.toArray(Float.self)
        let shape = field.grid.table.value.shape
        // The bug guarded against: a wrong rendering gradient (transmittance, alpha compositing or
        // trilinear weights differentiated wrongly). Directional derivatives ⟨∇L, d⟩ against central
        // differences along d, Richardson-extrapolated from h and h/2 (truncation O(h⁴)): along random
        // d every entry the view depends on contributes, so the value is large next to float32's
        // rounding noise and a relative tolerance of 1% holds (the old per-entry check needed an
        // absolute floor of 2e-2, larger than many of the gradients it checked).
        func loss(at values: [Float]) throws -> Double {
            field.grid.table.value = try MLXArray(values, shape: shape)
            defer { field.grid.table.value = try! MLXArray(original, shape: shape) }
            return Double(try loss().item(Float.self))
        }
        func derivative(along direction: [Float]) throws -> Double {
            func central(_ h: Float) throws -> Double {
                (try loss(at: zip(original, direction).map { $0 + h * $1 }) - loss(at: zip(original, direction).map { $0 - h * $1 }))
                    / Double(2 * h)
            }
            return (4 * (try central(5e-3)) - (try central(1e-2))) / 3
        }
        let order = gradient.indices.sorted { abs(gradient[$0]) > abs(gradient[$1]) }
        var directions = try (7..<11).map { try Random.normal([original.count], key: Random.key(UInt64($0))).toArray(Float.self) }
        directions += order.prefix(3).map { index in (0..<original.count).map { $0 == index ? Float(1) : 0 } }
        for (number, direction) in directions.enumerated() {
            let expected = zip(gradient, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let numeric = try derivative(along: direction)
            XCTAssertEqual(expected, numeric, accuracy: 0.01 * abs(numeric), "direction \(number)")
        }
        XCTAssertGreaterThan(abs(gradient[order[0]]), 1e-2, "the view must depend on the field")
    }
}
