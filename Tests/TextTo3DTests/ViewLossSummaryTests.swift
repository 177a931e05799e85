import Foundation
import XCTest
@testable import TextTo3D

/// The end-of-run line about view directions: means per direction from view_losses.csv, and a
/// direction named only when it stands out and was seen often enough.
final class ViewLossSummaryTests: XCTestCase {
    private func csv(_ rows: [(step: Int, view: String, lsd: Double)]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("view-losses-\(UUID().uuidString).csv").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let lines = ["step,view_index,azimuth,elevation,view,t,lsd,fm,kl,opacity_entropy,sparsity"]
            + rows.map { "\($0.step),0,0.00,0.00,\($0.view),500,\($0.lsd),0,0,0,0" }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testMeansPerDirectionAndTheOneThatStandsOut() throws {
        var rows: [(Int, String, Double)] = []
        for step in 1...60 {
            rows.append((step, "front", 10 + Double(step % 3)))
            rows.append((step, "back", step <= 20 ? 100 : 30))
        }
        let summary = try ViewLossSummary(csv: csv(rows), fromStep: 21)
        XCTAssertEqual(summary.directions.map(\.name), ["front", "back"])
        XCTAssertEqual(summary.directions[1].views, 40)
        XCTAssertEqual(summary.directions[1].meanLSD, 30, accuracy: 1e-9)
        XCTAssertEqual(summary.directions[0].meanLSD, (Double((21...60).map { 10 + $0 % 3 }.reduce(0, +))) / 40, accuracy: 1e-9)
        XCTAssertTrue(summary.line.contains("back views are"), summary.line)
    }

    func testNoDirectionIsNamedFromFewViewsOrSmallDifferences() throws {
        let few = try ViewLossSummary(csv: csv((1...9).map { ($0, "back", 100) } + (1...30).map { ($0, "front", 10) }), fromStep: 1)
        XCTAssertFalse(few.line.contains("disagrees"), few.line)
        let close = try ViewLossSummary(csv: csv((1...30).flatMap { [($0, "back", 13), ($0, "front", 10)] }), fromStep: 1)
        XCTAssertFalse(close.line.contains("disagrees"), close.line)
    }
}
