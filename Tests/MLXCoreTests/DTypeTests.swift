import MLXCore
import XCTest

/// Every dtype path: creation from Swift arrays, conversion, host read-back.
final class DTypeTests: XCTestCase {
    func testIntegerAndBoolRoundTripsAreExact() throws {
        XCTAssertEqual(try MLXArray([Int32.min, -1, 0, Int32.max]).toArray(Int32.self), [Int32.min, -1, 0, Int32.max])
        XCTAssertEqual(try MLXArray([Int64(1) << 40, -7]).toArray(Int64.self), [Int64(1) << 40, -7])
        XCTAssertEqual(try MLXArray([0, 128, 255] as [UInt8]).toArray(UInt8.self), [0, 128, 255])
        XCTAssertEqual(try MLXArray([true, false, true]).toArray(Bool.self), [true, false, true])
        XCTAssertEqual(try MLXArray([1.5, -2.25] as [Double]).dtype, .float64)
    }

    func testHalfPrecisionConversions() throws {
        // Values exactly representable in float16 and bfloat16 survive; others round to the
        // nearest representable value (relative step 2⁻¹¹ for float16, 2⁻⁸ for bfloat16).
        let exact: [Float] = [0, 1, -2, 0.5, 1024, -0.125]
        for dtype in [DType.float16, .bfloat16] {
            XCTAssertEqual(try MLXArray(exact).asType(dtype).toArray(Float.self), exact, "\(dtype)")
        }
        let third = try MLXArray([1.0 / 3] as [Float])
        XCTAssertEqual(try third.asType(.float16).item(Float.self), 1.0 / 3, accuracy: 1.0 / 3 * 1.0 / 2048)
        XCTAssertEqual(try third.asType(.bfloat16).item(Float.self), 1.0 / 3, accuracy: 1.0 / 3 * 1.0 / 256)
        // float16 bit patterns: 1.0 is 0x3C00.
        XCTAssertEqual(try MLXArray([1] as [Float]).asType(.float16).bytes(), [0x00, 0x3C])
        let fromBits = try [UInt8]([0x00, 0xC0]).withUnsafeBytes { try MLXArray(bytes: $0, shape: [1], dtype: .float16) }
        XCTAssertEqual(try fromBits.item(Float.self), -2)
    }

    func testArithmeticInEveryFloatingType() throws {
        for dtype in [DType.float32, .float16, .bfloat16] {
            let a = try MLXArray([1, 2, 4] as [Float]).asType(dtype)
            let result = try (a * a + a) / 2
            XCTAssertEqual(result.dtype, dtype)
            XCTAssertEqual(try result.toArray(Float.self), [1, 3, 10], "\(dtype)")
        }
        let integers = try MLXArray([7, -7] as [Int32])
        XCTAssertEqual(try integers.floorDivided(by: MLXArray([2, 2] as [Int32])).toArray(Int32.self), [3, -4])
    }

    func testScalarsShapesAndItems() throws {
        let scalar = try MLXArray(Float(2.5))
        XCTAssertEqual(scalar.ndim, 0)
        XCTAssertEqual(try scalar.item(Float.self), 2.5)
        XCTAssertEqual(try full([2, 3], value: 7, dtype: .int32).toArray(Int32.self), Array(repeating: 7, count: 6))
        XCTAssertEqual(try arange(5).toArray(Int32.self), [0, 1, 2, 3, 4])
        XCTAssertEqual(try linspace(0, 1, count: 5).toArray(Float.self), [0, 0.25, 0.5, 0.75, 1])
        XCTAssertThrowsError(try MLXArray([1, 2, 3] as [Float], shape: [2, 2]))
        XCTAssertThrowsError(try MLXArray([1, 2] as [Float]).item(Float.self))
    }
}
