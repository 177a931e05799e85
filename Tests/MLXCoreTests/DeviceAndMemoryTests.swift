import MLXCore
import XCTest

final class DeviceAndMemoryTests: XCTestCase {
    func testGPURequestFailsCleanlyWithoutAGPU() throws {
        XCTAssertEqual(Device.default, .cpu)
        if Device.isGPUAvailable {
            try Device.setDefault(.gpu)
            XCTAssertEqual(Device.default, .gpu)
            try Device.setDefault(.cpu)
        } else {
            XCTAssertThrowsError(try Device.setDefault(.gpu)) { XCTAssertTrue("\($0)".contains("gpu"), "\($0)") }
            XCTAssertEqual(Device.default, .cpu)
        }
    }

    func testPeakMemoryTracksAllocations() throws {
        Memory.resetPeak()
        let before = Memory.peak
        let big = try ones([1024, 1024])  // 4 MiB
        try big.eval()
        XCTAssertGreaterThanOrEqual(Memory.peak - before, 4 << 20)
        XCTAssertGreaterThan(Memory.active, 0)
    }

    func testOpenBLASServesMLX() throws {
        // Fails if libmlx still binds the wheel's bundled reference BLAS.
        let library = try MLXRuntime.blasLibrary()
        XCTAssertTrue(try MLXRuntime.isUsingOpenBLAS(), library)
        // The version itself is not pinned here (a wheel upgrade is not a bug); it must be readable.
        XCTAssertNotNil(MLXRuntime.version.split(separator: ".").compactMap { Int($0) }.count == 3 ? MLXRuntime.version : nil,
                        "MLX version '\(MLXRuntime.version)'")
    }
}
