import Foundation
import MLXCore
import XCTest
@testable import Diffusion

/// The tiny random-weight models and reference outputs written by scripts/make_reference.py with
/// diffusers/transformers (see docs/REFERENCE_FIXTURES.md).
enum ReferenceFixtures {
    static let models = ["tiny-sd1", "tiny-sd2"]

    static func folder(_ model: String) throws -> ModelFolder {
        let url = try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures/\(model)")
        return try ModelFolder(path: url.path)
    }

    static func tensors(_ model: String, _ name: String) throws -> [String: MLXArray] {
        try SafetensorsFile.load(folder(model).url.appendingPathComponent("reference/\(name).safetensors").path).tensors
    }

    static func json(_ model: String, _ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder(model).url.appendingPathComponent("reference/\(name)"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// max |a − b| / max |b|: the SPEC's parity measure.
    static func relativeError(_ a: MLXArray, _ b: MLXArray) throws -> Float {
        XCTAssertEqual(a.shape, b.shape)
        let difference = try abs(a.asType(.float32) - b.asType(.float32)).max().item(Float.self)
        return difference / max(try abs(b.asType(.float32)).max().item(Float.self), 1e-12)
    }

    /// A nested list of numbers (PyTorch layout) as an MLXArray of `shape`.
    static func array(_ nested: Any, shape: [Int]) throws -> MLXArray {
        var flat: [Float] = []
        func walk(_ value: Any) {
            if let list = value as? [Any] { list.forEach(walk) } else if let number = value as? NSNumber { flat.append(number.floatValue) }
        }
        walk(nested)
        return try MLXArray(flat, shape: shape)
    }
}
