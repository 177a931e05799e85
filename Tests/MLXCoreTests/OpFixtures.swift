import Foundation
import MLXCore
import XCTest

/// The numpy reference cases of scripts/make_op_fixtures.py (Fixtures/ops.json).
struct OpCase {
    let inputs: [String: MLXArray]
    let params: [String: Any]
    let expected: MLXArray

    static let all: [String: OpCase] = {
        guard let url = Bundle.module.url(forResource: "ops", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else { return [:] }
        func array(_ entry: Any?) -> MLXArray {
            let tensor = entry as! [String: Any]
            let shape = (tensor["shape"] as! [NSNumber]).map(\.intValue)
            let values = (tensor["data"] as! [NSNumber]).map(\.floatValue)
            return try! MLXArray(values, shape: shape)
        }
        return json.mapValues { entry in
            OpCase(inputs: (entry["inputs"] as! [String: Any]).mapValues(array),
                   params: entry["params"] as? [String: Any] ?? [:], expected: array(entry["output"]))
        }
    }()

    static func named(_ name: String) throws -> OpCase {
        try XCTUnwrap(all[name], "missing fixture case \(name)")
    }

    func int(_ key: String) -> Int { (params[key] as! NSNumber).intValue }
    func ints(_ key: String) -> [Int] { (params[key] as! [NSNumber]).map(\.intValue) }

    /// Asserts max|result − expected| ≤ tolerance · max(1, max|expected|).
    func check(_ result: MLXArray, tolerance: Float = 1e-5, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(result.shape, expected.shape, message, file: file, line: line)
        let error = try abs(result.asType(.float32) - expected).max().item(Float.self)
        let scale = max(1, try abs(expected).max().item(Float.self))
        XCTAssertLessThanOrEqual(error, tolerance * scale, message, file: file, line: line)
    }
}
