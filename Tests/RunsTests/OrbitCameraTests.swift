import XCTest
@testable import Runs

final class OrbitCameraTests: XCTestCase {
    /// Projecting a point on a pixel's ray gives back that pixel's centre and the distance along it.
    func testProjectionInvertsRayGeneration() {
        for camera in [OrbitCamera(azimuth: 37, elevation: 22, radius: 3.2, fieldOfView: 40),
                       OrbitCamera(azimuth: 250, elevation: -8, radius: 2.5, fieldOfView: 60)] {
            let width = 7, height = 5
            let directions = camera.rayDirections(width: width, height: height)
            for (index, direction) in directions.enumerated() {
                let point = camera.position + direction * 2.7
                guard let projected = camera.project(point, width: width, height: height) else { return XCTFail("behind") }
                XCTAssertEqual(projected.x, Float(index % width) + 0.5, accuracy: 1e-3)
                XCTAssertEqual(projected.y, Float(index / width) + 0.5, accuracy: 1e-3)
                XCTAssertEqual(projected.distance, 2.7, accuracy: 1e-4)
            }
            XCTAssertNil(camera.project(camera.position * 2, width: width, height: height), "a point behind the camera")
        }
    }

    /// Azimuth 0 looks from the front (+z) and the image's right is +x, as in the toy renderer.
    func testFrontCameraConvention() {
        let camera = OrbitCamera(azimuth: 0, elevation: 0, radius: 3, fieldOfView: 40)
        XCTAssertEqual(camera.position.z, 3, accuracy: 1e-6)
        let right = camera.project([0.5, 0, 0], width: 10, height: 10)!
        XCTAssertGreaterThan(right.x, 5)
        let up = camera.project([0, 0.5, 0], width: 10, height: 10)!
        XCTAssertLessThan(up.y, 5)
    }
}
