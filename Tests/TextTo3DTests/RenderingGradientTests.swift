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
        // The entries with the largest gradients (the ones the view depends on) and a few others.
        let order = gradient.indices.sorted { abs(gradient[$0]) > abs(gradient[$1]) }
        let checked = Array(order.prefix(8)) + [order[order.count / 3], order[order.count / 2]]
        let h: Float = 1e-2
        for index in checked {
            var plus = original, minus = original
            plus[index] += h
            minus[index] -= h
            field.grid.table.value = try MLXArray(plus, shape: shape)
            let up = try loss().item(Float.self)
            field.grid.table.value = try MLXArray(minus, shape: shape)
            let down = try loss().item(Float.self)
            field.grid.table.value = try MLXArray(original, shape: shape)
            let numeric = (up - down) / (2 * h)
            XCTAssertEqual(gradient[index], numeric, accuracy: 2e-2 * max(1, abs(numeric)), "table entry \(index)")
        }
        XCTAssertGreaterThan(abs(gradient[order[0]]), 1e-2, "the view must depend on the field")
    }
}
