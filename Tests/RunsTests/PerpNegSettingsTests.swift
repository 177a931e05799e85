import Foundation
import XCTest
@testable import Runs

/// Perp-Neg's blend and weights per azimuth against stable-dreamfusion's `get_pos_neg_text_embeddings`,
/// recomputed in Python from its formulas (scripts/make_perpneg_reference.py → perpneg-weights.json),
/// and our [0°, 360°) azimuths mapped onto its [−180°, 180°).
final class PerpNegSettingsTests: XCTestCase {
    private struct Row: Decodable {
        let azimuth: Float
        let r: Float
        let start: String
        let end: String
        let negatives: [[Entry]]

        enum Entry: Decodable {
            case direction(String), weight(Float)
            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) { self = .direction(text) } else { self = .weight(try container.decode(Float.self)) }
            }
        }
    }

    func testWeightsMatchStableDreamFusion() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DiffusionTests/Fixtures/tiny-sd1/reference/perpneg-weights.json")
        let rows = try JSONDecoder().decode([Row].self, from: Data(contentsOf: path))
        XCTAssertGreaterThan(rows.count, 10)
        let settings = PerpNegSettings()
        for row in rows {
            // Ours: azimuths in [0, 360); the same camera either way.
            for azimuth in [row.azimuth, row.azimuth < 0 ? row.azimuth + 360 : row.azimuth] {
                let blend = settings.blend(azimuth: azimuth)
                XCTAssertEqual(blend.r, row.r, accuracy: 1e-5, "azimuth \(azimuth)")
                XCTAssertEqual(blend.start.rawValue, row.start, "azimuth \(azimuth)")
                XCTAssertEqual(blend.end.rawValue, row.end, "azimuth \(azimuth)")
                XCTAssertEqual(blend.negatives.count, row.negatives.count)
                for (negative, entry) in zip(blend.negatives, row.negatives) {
                    guard case let .direction(direction) = entry[0], case let .weight(weight) = entry[1] else { return XCTFail("\(entry)") }
                    XCTAssertEqual(negative.direction.rawValue, direction, "azimuth \(azimuth)")
                    XCTAssertEqual(negative.weight, weight, accuracy: 1e-5, "azimuth \(azimuth)")
                }
            }
        }
    }

    /// Closed forms: the front view's own prompt is not a negative, the side's is at full weight;
    /// half-way, exp(−r·2)·(−2) and exp(−(1 − r)·10)·(−2).
    func testClosedForms() {
        let settings = PerpNegSettings()
        let front = settings.blend(azimuth: 0)
        XCTAssertEqual(front.r, 1)
        XCTAssertEqual(front.negatives.map(\.weight), [0, -2])
        let half = settings.blend(azimuth: 45)
        XCTAssertEqual(half.negatives[0].weight, exp(-1) * -2, accuracy: 1e-6)
        XCTAssertEqual(half.negatives[1].weight, exp(-5) * -2, accuracy: 1e-6)
        let back = settings.blend(azimuth: 180)
        XCTAssertEqual(back.r, 0)
        XCTAssertEqual(back.end, .back)
        XCTAssertEqual(back.negatives.map(\.weight), [-1, -2])
    }
}
