import Foundation
import MLXCore
import XCTest

/// Tensors written by scripts/make_edit_reference.py (PyTorch; pictures already channels-last).
enum ReferenceFixtures {
    static func path(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures/\(name)").path
    }

    static func load(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile.load(try path(name))
    }

    static func tensor(_ file: SafetensorsFile, _ key: String) throws -> MLXArray {
        try XCTUnwrap(file.tensors[key], "fixture has no tensor '\(key)'")
    }
}

/// max |actual − expected| / max |expected| (SPEC §3's parity measure).
func relativeError(_ actual: MLXArray, _ expected: MLXArray) throws -> Float {
    XCTAssertEqual(actual.shape, expected.shape)
    let a = try actual.asType(.float32).toArray(Float.self), e = try expected.asType(.float32).toArray(Float.self)
    guard a.count == e.count else { return .infinity }
    let scale = e.reduce(Float(0)) { max($0, abs($1)) }
    let difference = zip(a, e).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    return scale > 0 ? difference / scale : difference
}
