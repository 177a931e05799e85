import MLXCore
import XCTest
@testable import TextTo3D

final class FeatureGridTests: XCTestCase {
    /// Trilinear interpolation reproduces a linear function of position exactly.
    func testDenseLevelInterpolatesLinearFunctionsExactly() throws {
        let cells = 3, side = cells + 1
        var table: [Float] = []
        for x in 0..<side { for y in 0..<side { for z in 0..<side {
            table.append(2 * Float(x) - 0.5 * Float(y) + 3 * Float(z) + 1)
        } } }
        let grid = try FeatureGrid(resolutions: [cells], rowsPerLevel: side * side * side, featuresPerLevel: 1,
                                   initialValues: MLXArray(table, shape: [table.count, 1]))
        let points: [Float] = [0, 0, 0, 1, 1, 1, 0.1, 0.5, 0.9, 0.33, 0.77, 0.01, 0.999, 0.2, 0.6]
        let values = try grid(MLXArray(points, shape: [5, 3])).toArray(Float.self)
        for index in 0..<5 {
            let p = points[(index * 3)..<(index * 3 + 3)].map { $0 * Float(cells) }
            XCTAssertEqual(values[index], 2 * p[0] - 0.5 * p[1] + 3 * p[2] + 1, accuracy: 1e-4)
        }
    }

    /// A hashed level reads the row (x·1 ⊕ y·2654435761 ⊕ z·805459861) mod T at a lattice vertex.
    func testHashedLevelReadsInstantNGPHashRows() throws {
        let rows = 64, resolution = 16  // 17³ vertices > 64 rows: hashed
        let table = (0..<(2 * rows)).map { Float($0) }
        let grid = try FeatureGrid(resolutions: [2, resolution], rowsPerLevel: rows, featuresPerLevel: 1,
                                   initialValues: MLXArray(table, shape: [2 * rows, 1]))
        let vertices: [(UInt32, UInt32, UInt32)] = [(0, 0, 0), (3, 7, 11), (16, 1, 9), (5, 16, 16), (8, 8, 8)]
        let points = vertices.flatMap { [Float($0.0), Float($0.1), Float($0.2)].map { $0 / Float(resolution) } }
        let values = try grid(MLXArray(points, shape: [vertices.count, 3])).toArray(Float.self)
        for (index, v) in vertices.enumerated() {
            let hash = (v.0 &* 1) ^ (v.1 &* 2_654_435_761) ^ (v.2 &* 805_459_861)
            XCTAssertEqual(values[index * 2 + 1], Float(rows + Int(hash % UInt32(rows))), "vertex \(v)")
        }
    }

    func testLevelsGrowGeometrically() {
        var settings = HashGridField.Settings()
        settings.levels = 5
        settings.coarsestResolution = 16
        settings.finestResolution = 256
        XCTAssertEqual(settings.resolutions(), [16, 32, 64, 128, 256])
    }

    func testBadTableSizeIsAnError() {
        XCTAssertThrowsError(try FeatureGrid(resolutions: [64], rowsPerLevel: 1000, featuresPerLevel: 2,
                                             initialValues: zeros([1000, 2]))) { error in
            XCTAssertTrue("\(error)".contains("power-of-two"), "\(error)")
        }
    }
}
