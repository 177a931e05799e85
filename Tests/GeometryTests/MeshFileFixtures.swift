import Foundation
import Geometry
import XCTest

/// A coloured tetrahedron whose coordinates are not all exactly representable in decimal, so a
/// writer that loses float precision is caught.
let colouredTetrahedron = Mesh(
    vertices: [[0, 0, 0], [1.5, -0.1, 2e-7], [0.3333333, 1, -4], [-1e6, 0.25, 1]],
    triangles: [[0, 2, 1], [0, 1, 3], [1, 2, 3], [0, 3, 2]],
    colours: [[255, 0, 0], [0, 255, 0], [0, 0, 255], [12, 34, 201]]
)

extension XCTestCase {
    /// A path in a fresh temporary folder that is removed when the test ends.
    func temporaryPath(named name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("GeometryTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.appendingPathComponent(name).path
    }
}
