import XCTest
@testable import Diffusion

final class DiffusionErrorTests: XCTestCase {
    func testMessagesNameThePath() {
        XCTAssertEqual(DiffusionError.missingFile(path: "/m/unet", what: "UNet folder").description, "UNet folder not found: '/m/unet'")
    }
}
